#include "ipc.h"

#include <dirent.h>
#include <limits.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include "escape.h"

static const char *owner_name(const struct ipc_owner *owners, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (owners[i].pid == (pid_t)pid)
			return owners[i].name;
	return NULL;
}

/* Calls fn for every row of a /proc/sysvipc table, its header skipped. */
static void each_row(const char *table, void (*fn)(const char *line, void *ctx), void *ctx)
{
	FILE *f = fopen(table, "re");
	if (!f)
		return;
	char line[512];
	if (fgets(line, sizeof(line), f))
		while (fgets(line, sizeof(line), f))
			fn(line, ctx);
	fclose(f);
}

struct collect {
	enum ipc_scope scope;
	const struct ipc_owner *owners;
	size_t nowners;
	time_t since;	/* IPC_SCOPE_CREATORS: made (shm_ctime) no earlier */
	struct strvec *found;
	bool any;	/* for ipc_shm_created_by */
};

static void creator_phrase(const struct collect *c, long cpid, char *buf, size_t size)
{
	const char *name = owner_name(c->owners, c->nowners, cpid);
	if (name)
		snprintf(buf, size, " created by pid %ld (%s)", cpid, name);
	else if (cpid > 0)
		snprintf(buf, size, " created by pid %ld", cpid);
	else
		buf[0] = '\0';
}

/* Columns: key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime ... */
static void shm_row(const char *line, void *ctx)
{
	struct collect *c = ctx;
	long key, id, perms, size, cpid, lpid, nattch;
	long long ctime;
	if (sscanf(line, "%ld %ld %lo %ld %ld %ld %ld %*d %*d %*d %*d %*d %*d %lld", &key, &id,
		   &perms, &size, &cpid, &lpid, &nattch, &ctime) != 8)
		return;
	bool ours = owner_name(c->owners, c->nowners, cpid) != NULL && ctime >= (long long)c->since;
	c->any |= ours;
	if (!c->found || (c->scope == IPC_SCOPE_CREATORS && !ours))
		return;
	char who[128];
	creator_phrase(c, cpid, who, sizeof(who));
	strvec_pushf_capped(c->found, FINDINGS_MAX,
		     "shared memory segment %ld (key 0x%08lx, %ld bytes)%s was never removed "
		     "(shmctl(id, IPC_RMID, NULL))",
		     id, (unsigned long)key & 0xffffffffUL, size, who);
	shmctl((int)id, IPC_RMID, NULL);
}

/* Columns: key semid perms nsems ... */
static void sem_row(const char *line, void *ctx)
{
	struct collect *c = ctx;
	long key, id, perms, nsems;
	if (sscanf(line, "%ld %ld %lo %ld", &key, &id, &perms, &nsems) != 4)
		return;
	strvec_pushf_capped(c->found, FINDINGS_MAX,
		     "semaphore set %ld (key 0x%08lx, %ld semaphore%s) was never removed "
		     "(semctl(id, 0, IPC_RMID))",
		     id, (unsigned long)key & 0xffffffffUL, nsems, nsems == 1 ? "" : "s");
	semctl((int)id, 0, IPC_RMID);
}

/* Columns: key msqid perms cbytes qnum lspid lrpid ... */
static void msg_row(const char *line, void *ctx)
{
	struct collect *c = ctx;
	long key, id, perms, cbytes, qnum;
	if (sscanf(line, "%ld %ld %lo %ld %ld", &key, &id, &perms, &cbytes, &qnum) != 5)
		return;
	strvec_pushf_capped(c->found, FINDINGS_MAX,
		     "message queue %ld (key 0x%08lx, %ld message%s waiting) was never removed "
		     "(msgctl(id, IPC_RMID, NULL))",
		     id, (unsigned long)key & 0xffffffffUL, qnum, qnum == 1 ? "" : "s");
	msgctl((int)id, IPC_RMID, NULL);
}

/* POSIX objects are files of /dev/shm and /dev/mqueue, which only the test's namespace makes its own. */
static void posix_objects(const char *dir, const char *what, const char *remover,
			  struct strvec *found)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		/* "/.x" is a valid name too: only the folder's own entries are skipped. */
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *name = escape_bytes(de->d_name, strlen(de->d_name), NAME_MAX);
		strvec_pushf_capped(found, FINDINGS_MAX, "%s /%s was never removed (%s)", what, name,
				    remover);
		free(name);
		if (!strcmp(dir, "/dev/mqueue")) {
			char name[300];
			snprintf(name, sizeof(name), "/%s", de->d_name);
			mq_unlink(name);
		} else {
			unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	closedir(d);
}

void ipc_collect_leftovers(enum ipc_scope scope, const struct ipc_owner *owners, size_t nowners,
			   time_t since, struct strvec *found)
{
	struct collect c = {scope, owners, nowners, since, found, false};
	each_row("/proc/sysvipc/shm", shm_row, &c);
	if (scope != IPC_SCOPE_NAMESPACE)
		return;
	each_row("/proc/sysvipc/sem", sem_row, &c);
	each_row("/proc/sysvipc/msg", msg_row, &c);
	posix_objects("/dev/shm", "POSIX shared memory object", "shm_unlink", found);
	posix_objects("/dev/mqueue", "POSIX message queue", "mq_unlink", found);
}

bool ipc_shm_created_by(const struct ipc_owner *owners, size_t nowners, time_t since)
{
	struct collect c = {IPC_SCOPE_CREATORS, owners, nowners, since, NULL, false};
	each_row("/proc/sysvipc/shm", shm_row, &c);
	return c.any;
}
