/*
 * sandbox_fs: the file system a sandboxed test sees.
 *
 * Called by the sandbox's init process, pid 1 of a fresh PID namespace, inside
 * fresh mount and IPC namespaces and (as an ordinary user always, as root
 * optionally) a fresh user namespace in which it has every capability, before
 * any student code runs.  The PID and IPC namespaces must belong to that user
 * namespace, or /proc and /dev/mqueue cannot be mounted.  It builds a new root
 * on a tmpfs and pivot_root()s into it:
 *
 *   /usr /bin /sbin /lib     read-only binds of the host's (those that exist; symlinked
 *   /lib32 /lib64 /libx32    /bin -> usr/bin layouts are kept as links)
 *   /etc                     a tmpfs (read-only once filled) holding only what programs and
 *                            compilers need: read-only binds of alternatives/, ld.so.cache,
 *                            ld.so.conf, ld.so.conf.d/, localtime, nsswitch.conf (those that
 *                            exist), and generated passwd and group naming only root, nobody
 *                            and the sandbox user (so `#include "/etc/passwd"` or reading
 *                            /etc/shadow finds nothing of the host)
 *   /proc                    a new proc for the new PID namespace
 *   /dev                     tmpfs with null, zero, full, random, urandom (binds of the
 *                            host's nodes), fd/stdin/stdout/stderr links, /dev/shm (a fresh
 *                            tmpfs) and /dev/mqueue (mqueue fs, if the kernel has it); no
 *                            tty: a test has no terminal
 *   /tmp                     a fresh tmpfs (size tmp_size)
 *   <workdir>                at the same absolute path as outside (so messages name real
 *                            paths): with workdir_size > 0 a fresh tmpfs of that size holding
 *                            a copy of the host folder's contents, or of the workdir_sources'
 *                            (then the host folder need not exist); what the program writes
 *                            there is lost, and it cannot fill the host's disk; with 0 a
 *                            read-write bind of the host folder (a build, whose output the
 *                            grader keeps)
 *
 * Every mount but the workdir is nosuid,nodev (except /dev's device binds)
 * and the read-only ones stay read-only (each bind, with whatever the host
 * mounted below it, is made read-only by mount_setattr(AT_RECURSIVE)).
 *
 * Everything else of the host — the spec's folder, other submissions,
 * reports, home folders — is absent.  The caller chdir()s to workdir after
 * (it is left in /).
 *
 * What it creates (the workdir copy, passwd, ...) belongs to the caller, unless
 * the user namespace does not map the caller's ids (a root grader's maps only
 * the sandbox user): then the tree is built as, and belongs to, the sandbox
 * user, and the copy is made with that user's rights to the host folder.
 * A caller running as root with no user namespace chowns the copy itself if
 * student code is to write to it.  The caller's ids, umask and descriptors are
 * as they were on return.
 *
 * Every size-limited tmpfs (the workdir's, /tmp, /dev/shm) also holds at
 * most SANDBOX_FS_FILES files and folders: what a program can create there,
 * and what the grader lists or copies back, is bounded both ways.
 *
 * Returns 0; SANDBOX_FS_FULL when the workdir's copy did not fit its tmpfs
 * (the content's fault, see sandbox_fs_footprint to tell beforehand); or -1
 * with error_last() naming the step ("sandbox: mount /proc: ...").  Unless
 * 0, the mount namespace is half built and nothing should run in it.
 */
#ifndef GRADER_SANDBOX_FS_H
#define GRADER_SANDBOX_FS_H

#include <stdbool.h>

struct sandbox_fs_config {
	const char *workdir;		/* absolute path, exists */
	long long tmp_size;		/* bytes for /tmp and /dev/shm tmpfs (each) */
	const char *scratch_root;	/* an existing empty folder the new root can be built on (e.g. under $TMPDIR) */
	long long workdir_size;		/* > 0: workdir becomes a tmpfs of this size with a copy; 0: bind */
	/*
	 * With workdir_size > 0: absolute paths of the folders (or single files)
	 * copied into the workdir, in order, a later one's file replacing an
	 * earlier one's; NULL-terminated.  NULL: the host workdir's contents.
	 */
	const char *const *workdir_sources;
	unsigned sandbox_uid, sandbox_gid;	/* the ids (inside the namespace) student code runs as, for passwd/group */
	/*
	 * The workdir's copy, and the workdir, become the sandbox user's as they
	 * are made (a root grader's files would be root's: student code could not
	 * change them).
	 */
	bool own_copies;
};

/* Files and folders (inodes) a size-limited tmpfs holds. */
#define SANDBOX_FS_FILES 16384
/* sandbox_fs_setup's answer when the workdir's content does not fit. */
#define SANDBOX_FS_FULL (-2)

int sandbox_fs_setup(const struct sandbox_fs_config *cfg);

/* What a copy takes on a tmpfs. */
struct sandbox_fs_footprint {
	long long bytes;	/* each file's size rounded up to pages: a copy writes sparse files in full */
	long long files;	/* files, folders and links */
	bool too_deep;		/* folders nested past TREE_DEPTH_MAX (not walked below it) */
};

/*
 * The footprint of a copy of the contents of sources (folders, or single
 * files; NULL-terminated), walked without following any link.  -1 with
 * error_last() naming the first file or folder the caller could not read
 * (the copy would fail there).
 */
int sandbox_fs_footprint(const char *const *sources, struct sandbox_fs_footprint *out);

#endif
