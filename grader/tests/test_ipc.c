/*
 * Unit tests of ipc.c's scope without namespaces (IPC_SCOPE_CREATORS): a
 * segment is the test's only when one of its processes made it since the
 * test began; an older one whose creator's pid a test process now has is
 * neither reported nor removed (pids are reused: it is somebody else's).
 */
#include <criterion/criterion.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"

static int id = -1;

static void teardown(void)
{
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
}

TestSuite(ipc, .fini = teardown, .timeout = 30);

static bool exists(int shmid)
{
	struct shmid_ds ds;
	return shmctl(shmid, IPC_STAT, &ds) == 0;
}

Test(ipc, a_segment_made_before_the_test_is_not_its_own)
{
	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	cr_assert_geq(id, 0);
	struct ipc_owner me = {getpid(), "./prog"};
	/* The test "began" after the segment was made: its maker was somebody else. */
	time_t later = time(NULL) + 3600;
	cr_expect_not(ipc_shm_created_by(&me, 1, later));
	struct strvec found = STRVEC_INIT;
	strvec_init(&found);
	ipc_collect_leftovers(IPC_SCOPE_CREATORS, &me, 1, later, &found);
	cr_expect_eq(found.n, 0, "reported: %s", found.n ? found.v[0] : "");
	cr_expect(exists(id), "another process's segment was removed");

	/* Made since the test began, by one of its processes: reported and removed. */
	cr_expect(ipc_shm_created_by(&me, 1, 0));
	ipc_collect_leftovers(IPC_SCOPE_CREATORS, &me, 1, 0, &found);
	cr_expect_geq(found.n, 1);
	cr_expect_not(exists(id), "the test's segment was left");
	strvec_clear(&found);
}
