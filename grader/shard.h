/*
 * shard: the class of a batch — the student folders under a root — which
 * part of it `batch --shard K/N` grades, and the class list a batch leaves
 * in its report folder for `grader report` (docs/scale.md).
 *
 * The split.  A student belongs to shard shard_index(name, N) + 1, where
 * shard_index is FNV-1a (64 bits) of the folder name's bytes, mixed by the
 * splitmix64 finaliser, modulo N.  A student's shard depends on its name
 * and N alone: a student added to or removed from the class moves nobody
 * else, so a shard re-run with --resume after the class changed still
 * finds every student it finished up to date, and no student falls between
 * two shards.  (A split by sorted position balances to within one student
 * but shifts everyone after a new name into the next shard.)  The price
 * is a statistical balance: a shard's size is binomial, within a few per
 * cent of the mean for classes of thousands (docs/scale.md measures it).
 *
 * The class list.  Every batch records the class as it listed it — all of
 * it, not only its part, so that the students of a shard that never ran
 * are still known — in REPORT_DIR/.grader/class/K-of-N: folder names, each
 * ended by a NUL (a name may hold a newline).  Each shard writes its own
 * file, atomically, so that shards sharing one folder (NFS) never write
 * the same file and need no lock; a shard removes the lists of another N,
 * an earlier split of the same folder.  `grader report` reads their union.
 */
#ifndef GRADER_SHARD_H
#define GRADER_SHARD_H

#include <stdbool.h>

#include "util.h"

/* The k-th of n parts of the class, 1 <= k <= n; {1, 1} is the whole class. */
struct shard {
	unsigned k, n;
};

/* The most parts a class can be split into. */
#define SHARD_MAX 100000

/** Parses "K/N" (decimal, 1 <= K <= N <= SHARD_MAX); -1 with error() set. */
int shard_parse(const char *text, struct shard *out);

/** The part, 0 to n - 1, that the student named name belongs to among n. */
unsigned shard_index(const char *name, unsigned n);

/** Whether s grades the student named name. */
bool shard_contains(const struct shard *s, const char *name);

/**
 * Appends the student folders directly under root to dirs (root/name),
 * sorted by name.  Every other entry is skipped, each named on stderr with
 * why ("grader: WHO: skipped ..."), then how many: a plain file, a hidden
 * entry (its name begins with a dot), and a symbolic link, which is no
 * student folder wherever it points (graded, a link to /root would copy
 * root's files into a build the student's code runs in).  -1 with error()
 * set when root cannot be read.
 */
int shard_list_class(const char *root, const char *who, struct strvec *dirs);

/** The student's name in a path shard_list_class() made (its last part; borrowed). */
const char *shard_student_name(const char *dir);

/**
 * Records dirs (shard_list_class's, the whole class) as s's class list in
 * report_dir, and removes the class lists a split into another number of
 * parts left there.  -1 with error() set.
 */
int shard_class_write(const char *report_dir, const struct shard *s, const struct strvec *dirs);

/**
 * Appends the union of the class lists in report_dir to names, sorted,
 * each name once.  Returns how many lists were read (0: no batch recorded
 * its class there), or -1 with error() set when one cannot be read.
 */
int shard_class_read(const char *report_dir, struct strvec *names);

/** Sorts names (strcmp) and drops repeated ones. */
void shard_sort_names(struct strvec *names);

#endif
