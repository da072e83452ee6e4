/*
 * compat.c: kernel calls without a glibc 2.31 wrapper, their fallbacks for
 * older kernels, and errno names (compat.h).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

int compat_mount_setattr(int dirfd, const char *path, unsigned int flags,
			 const struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, size);
}

/* What close_range() does to one descriptor. */
static int close_one(int fd, unsigned int flags)
{
	if (!(flags & CLOSE_RANGE_CLOEXEC)) {
		close(fd);
		return 0;
	}
	int fdflags = fcntl(fd, F_GETFD);
	if (fdflags < 0)
		return errno == EBADF ? 0 : -1;
	return fcntl(fd, F_SETFD, fdflags | FD_CLOEXEC);
}

/* The kernel's record of getdents64(2) (glibc 2.31 has no wrapper). */
struct dirent64_record {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Every open descriptor in [first, last], from /proc/self/fd; -1 when it cannot be read. */
static int close_listed(unsigned int first, unsigned int last, unsigned int flags)
{
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	/* Aligned for the records in it; on the stack: no malloc between fork and exec. */
	_Alignas(8) char buf[4096];
	long n;
	int ret = 0;
	while (ret == 0 && (n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64_record *d = (const void *)(buf + off);
			off += d->reclen;
			unsigned long fd = 0;
			const char *p = d->name;
			if (*p < '0' || *p > '9')
				continue; /* "." and ".." */
			for (; *p >= '0' && *p <= '9'; p++)
				fd = fd * 10 + (unsigned long)(*p - '0');
			if (fd >= first && fd <= last && (int)fd != dir && close_one((int)fd, flags) < 0)
				ret = -1;
		}
	}
	if (n < 0)
		ret = -1;
	close(dir);
	return ret;
}

int compat_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	if (syscall(SYS_close_range, first, last, flags) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
	if (close_listed(first, last, flags) == 0)
		return 0;
	/* No /proc (yet): every descriptor the limit allows, up to a bound a loop can afford. */
	struct rlimit rl;
	unsigned int end = 1U << 20;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < end)
		end = (unsigned int)rl.rlim_max;
	int ret = 0;
	for (unsigned int fd = first; fd <= last && fd < end; fd++)
		if (close_one((int)fd, flags) < 0)
			ret = -1;
	return ret;
}

#define E(name) [name] = #name
static const char *const errno_names[] = {
    E(EPERM),	     E(ENOENT),		 E(ESRCH),	    E(EINTR),	       E(EIO),
    E(ENXIO),	     E(E2BIG),		 E(ENOEXEC),	    E(EBADF),	       E(ECHILD),
    E(EAGAIN),	     E(ENOMEM),		 E(EACCES),	    E(EFAULT),	       E(ENOTBLK),
    E(EBUSY),	     E(EEXIST),		 E(EXDEV),	    E(ENODEV),	       E(ENOTDIR),
    E(EISDIR),	     E(EINVAL),		 E(ENFILE),	    E(EMFILE),	       E(ENOTTY),
    E(ETXTBSY),	     E(EFBIG),		 E(ENOSPC),	    E(ESPIPE),	       E(EROFS),
    E(EMLINK),	     E(EPIPE),		 E(EDOM),	    E(ERANGE),	       E(EDEADLK),
    E(ENAMETOOLONG), E(ENOLCK),		 E(ENOSYS),	    E(ENOTEMPTY),      E(ELOOP),
    E(ENOMSG),	     E(EIDRM),		 E(ECHRNG),	    E(EL2NSYNC),       E(EL3HLT),
    E(EL3RST),	     E(ELNRNG),		 E(EUNATCH),	    E(ENOCSI),	       E(EL2HLT),
    E(EBADE),	     E(EBADR),		 E(EXFULL),	    E(ENOANO),	       E(EBADRQC),
    E(EBADSLT),	     E(EBFONT),		 E(ENOSTR),	    E(ENODATA),	       E(ETIME),
    E(ENOSR),	     E(ENONET),		 E(ENOPKG),	    E(EREMOTE),	       E(ENOLINK),
    E(EADV),	     E(ESRMNT),		 E(ECOMM),	    E(EPROTO),	       E(EMULTIHOP),
    E(EDOTDOT),	     E(EBADMSG),	 E(EOVERFLOW),	    E(ENOTUNIQ),       E(EBADFD),
    E(EREMCHG),	     E(ELIBACC),	 E(ELIBBAD),	    E(ELIBSCN),	       E(ELIBMAX),
    E(ELIBEXEC),     E(EILSEQ),		 E(ERESTART),	    E(ESTRPIPE),       E(EUSERS),
    E(ENOTSOCK),     E(EDESTADDRREQ),	 E(EMSGSIZE),	    E(EPROTOTYPE),     E(ENOPROTOOPT),
    E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP),  E(EPFNOSUPPORT),   E(EAFNOSUPPORT),
    E(EADDRINUSE),   E(EADDRNOTAVAIL),	 E(ENETDOWN),	    E(ENETUNREACH),    E(ENETRESET),
    E(ECONNABORTED), E(ECONNRESET),	 E(ENOBUFS),	    E(EISCONN),	       E(ENOTCONN),
    E(ESHUTDOWN),    E(ETOOMANYREFS),	 E(ETIMEDOUT),	    E(ECONNREFUSED),   E(EHOSTDOWN),
    E(EHOSTUNREACH), E(EALREADY),	 E(EINPROGRESS),    E(ESTALE),	       E(EUCLEAN),
    E(ENOTNAM),	     E(ENAVAIL),	 E(EISNAM),	    E(EREMOTEIO),      E(EDQUOT),
    E(ENOMEDIUM),    E(EMEDIUMTYPE),	 E(ECANCELED),	    E(ENOKEY),	       E(EKEYEXPIRED),
    E(EKEYREVOKED),  E(EKEYREJECTED),	 E(EOWNERDEAD),	    E(ENOTRECOVERABLE), E(ERFKILL),
    E(EHWPOISON),
};
#undef E

const char *compat_errno_name(int err)
{
	if (err <= 0 || (size_t)err >= sizeof(errno_names) / sizeof(errno_names[0]))
		return NULL;
	return errno_names[err];
}
