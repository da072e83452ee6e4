/*
 * Calls what an IPC assignment never needs and an attacker wants, each
 * with valid arguments so that only a policy can make it fail:
 *   mount      a tmpfs on a fresh folder "m" in the working folder (not on
 *              /tmp, as that would hide the host's /tmp if it worked)
 *   ptrace     PTRACE_ATTACH to pid 1 (inside a PID namespace: the sandbox's init)
 *   bpf        BPF_MAP_CREATE of a one-entry array
 *   keyctl     KEYCTL_GET_KEYRING_ID of the user keyring (create it if need be)
 *   perf_event_open  a software clock counting this process
 *   unshare    CLONE_NEWUSER (last: it would change what the others may do)
 * The sandbox's seccomp filter denies all of them (EPERM); "safe" only if
 * every one failed.  Whatever succeeded is undone at once.  The result of
 * each goes to stderr.
 *
 * NEVER run this as root outside the sandbox (it would stop the host's init).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int escaped;

/* Reports one call's result; returns 1 when it succeeded. */
static int verdict(const char *name, long ret)
{
	fprintf(stderr, "%s: %s\n", name, ret < 0 ? strerror(errno) : "succeeded");
	if (ret >= 0)
		escaped = printf("ESCAPED: %s succeeded\n", name);
	return ret >= 0;
}

int main(void)
{
	union bpf_attr map = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4,
			       .max_entries = 1 };
	struct perf_event_attr pe = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(pe),
				      .config = PERF_COUNT_SW_CPU_CLOCK, .disabled = 1,
				      .exclude_kernel = 1, .exclude_hv = 1 };
	long fd;

	mkdir("m", 0755);
	if (verdict("mount", mount("none", "m", "tmpfs", 0, NULL)))
		umount2("m", MNT_DETACH);
	rmdir("m");
	if (verdict("ptrace(PTRACE_ATTACH, 1)", ptrace(PTRACE_ATTACH, 1, NULL, NULL))) {
		waitpid(1, NULL, __WALL);
		ptrace(PTRACE_DETACH, 1, NULL, NULL);
	}
	if (verdict("bpf(BPF_MAP_CREATE)", fd = syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof(map))))
		close((int)fd);
	verdict("keyctl(KEYCTL_GET_KEYRING_ID)",
		syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 1));
	if (verdict("perf_event_open", fd = syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0)))
		close((int)fd);
	verdict("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	if (!escaped)
		printf("safe\n");
	return 0;
}
