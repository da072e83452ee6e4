/*
 * system() through the dynamic loader: ld.so, run as a program, loads and
 * runs the program its first argument names ("ld.so /bin/sh -c 'exit 7'").
 * The process's executable (/proc/PID/exe) is then the loader, not the
 * shell, which is only mapped once the loader runs.  The loader's path is
 * the one this program names itself (its PT_INTERP, read from
 * /proc/self/exe).
 *
 * It prints "safe" once the shell really ran (it exits 7), so that only
 * the spec's `trace: {forbid: [system]}` can fail it, which it must
 * (trace.forbid): the shell's code is recognised in the process's memory.
 */
#include <elf.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* This program's own dynamic loader, into interp. */
static int own_loader(char *interp, size_t size)
{
	FILE *f = fopen("/proc/self/exe", "re");
	Elf64_Ehdr eh;
	int found = -1;
	if (!f || fread(&eh, sizeof(eh), 1, f) != 1)
		return -1;
	for (int i = 0; i < eh.e_phnum && found < 0; i++) {
		Elf64_Phdr ph;
		if (fseek(f, (long)(eh.e_phoff + (Elf64_Off)i * sizeof(ph)), SEEK_SET) < 0 ||
		    fread(&ph, sizeof(ph), 1, f) != 1)
			break;
		if (ph.p_type == PT_INTERP && ph.p_filesz < size &&
		    fseek(f, (long)ph.p_offset, SEEK_SET) == 0 && fread(interp, ph.p_filesz, 1, f) == 1)
			found = 0;
	}
	fclose(f);
	return found;
}

int main(void)
{
	char loader[256] = "";
	if (own_loader(loader, sizeof(loader)) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		execl(loader, "ld.so", "/bin/sh", "-c", "exit 7", (char *)NULL);
		perror("execl");
		_exit(99);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 7)
		printf("safe\n");
	else
		printf("the shell did not run (wait status %d)\n", status);
	return 0;
}
