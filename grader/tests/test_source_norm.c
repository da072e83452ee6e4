/*
 * The comment-blind digest of the build cache (source_norm.h): what it
 * keeps, what it blanks, and every refusal.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "source_norm.h"
#include "util.h"

/* The normalised text of src, or NULL when refused (*why then says why). */
static char *norm(const char *src, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	const char *w = source_norm_c(src, strlen(src), &sb);
	if (why)
		*why = w;
	if (w) {
		strbuf_release(&sb);
		return NULL;
	}
	if (!sb.buf)
		strbuf_addch(&sb, '\0'), sb.len = 0;
	return strbuf_detach(&sb, NULL);
}

static void expect_norm(const char *src, const char *want)
{
	const char *why;
	char *got = norm(src, &why);
	cr_assert_not_null(got, "refused (%s): %s", why, src);
	cr_expect_str_eq(got, want, "from: %s", src);
	free(got);
}

static void expect_refused(const char *src, const char *reason)
{
	const char *why;
	char *got = norm(src, &why);
	cr_expect_null(got, "normalised, not refused: %s", src);
	cr_expect(why && strstr(why, reason), "why: %s, wanted %s", why, reason);
	free(got);
}

static void expect_same(const char *a, const char *b)
{
	char *na = norm(a, NULL), *nb = norm(b, NULL);
	cr_assert(na && nb, "refused: %s / %s", a, b);
	cr_expect_str_eq(na, nb);
	free(na);
	free(nb);
}

static void expect_differ(const char *a, const char *b)
{
	char *na = norm(a, NULL), *nb = norm(b, NULL);
	cr_expect(!na || !nb || strcmp(na, nb), "normalised alike: %s / %s", a, b);
	free(na);
	free(nb);
}

Test(source_norm, comments_turn_into_blanks_one_for_one)
{
	expect_norm("int x; /* a */ int y;\n", "int x;         int y;\n");
	expect_norm("int x;\t/*\ta\t*/int y;\n", "int x;\t  \t \t  int y;\n");
	expect_norm("/* by Alice */\nint main(void) { return 0; }\n",
		    "\nint main(void) { return 0; }\n");
}

Test(source_norm, a_comment_at_a_line_end_goes_with_the_blanks)
{
	expect_norm("int x; // mine\nint y;  \t\n", "int x;\nint y;\n");
	expect_norm("int x;\r\n", "int x;\n");
	expect_same("int x; // Alice\r\n", "int x;\n");
	expect_same("int main(void) { return 0; } /* end */\n",
		    "int main(void) { return 0; }\n");
}

Test(source_norm, a_multi_line_comment_keeps_the_line_count)
{
	expect_norm("/* one\n   two\n   three */ int x;\n", "\n\n            int x;\n");
	/* So code after it is on the same line, at the same column, as in the original. */
	expect_differ("/* a\n b */ int x;\n", "/* a b */\n int x;\n");
}

Test(source_norm, columns_are_preserved)
{
	char *n = norm("int/* c */x;\n", NULL);
	cr_assert_not_null(n);
	cr_expect_eq(strchr(n, 'x') - n, 10);
	free(n);
	/* A comment is never nothing: a/\**\/b is two tokens, ab one. */
	expect_differ("int a/**/b;\n", "int ab;\n");
}

Test(source_norm, comments_appended_at_the_end_of_the_file_go)
{
	expect_same("int x;\n", "int x;\n/* Alice Smith, 2024 */\n\n");
	expect_same("int x;\n", "int x;\n// end\n");
	expect_norm("", "");
	expect_norm("/* nothing */\n", "");
}

Test(source_norm, strings_and_characters_that_hold_comment_markers_are_code)
{
	expect_norm("char *s = \"/* not a comment */\";\n", "char *s = \"/* not a comment */\";\n");
	expect_norm("char *s = \"a // b\"; // c\n", "char *s = \"a // b\";\n");
	expect_norm("char c = '/'; char d = '\\''; /* x */\n", "char c = '/'; char d = '\\'';\n");
	expect_norm("char *s = \"\\\" /* still a string */\";\n",
		    "char *s = \"\\\" /* still a string */\";\n");
	expect_norm("wchar_t *s = L\"/**/\"; char *t = u8\"//\";\n",
		    "wchar_t *s = L\"/**/\"; char *t = u8\"//\";\n");
	expect_norm("int c = U'/' + u'*' + u8'a';\n", "int c = U'/' + u'*' + u8'a';\n");
	expect_differ("char *s = \"a /* b */\";\n", "char *s = \"a       \";\n");
}

Test(source_norm, a_header_name_with_comment_markers_is_code)
{
	expect_norm("#include <a//b.h>\n", "#include <a//b.h>\n");
	expect_norm("#  include_next </*x*/>\n", "#  include_next </*x*/>\n");
	expect_norm("#import <x//y> // z\n", "#import <x//y>\n");
	expect_norm("#include /* c */ <s//t.h>\n", "#include         <s//t.h>\n");
	/* Elsewhere < is an operator, and what follows a comment. */
	expect_norm("int b = 1 < 2; // >\n", "int b = 1 < 2;\n");
	expect_refused("#include <a.h\n", "header name");
}

Test(source_norm, programs_that_differ_in_code_never_normalise_alike)
{
	expect_differ("int x = 1;\n", "int x = 2;\n");
	expect_differ("int x;\n", "int  x;\n");
	expect_differ("int x;\nint y;\n", "int x;\n\nint y;\n");
	expect_differ("\tint x;\n", "        int x;\n");
	expect_differ("int x; /* c */ int y;\n", "int x;\nint y;\n");
	expect_differ("char *s = \"a\";\n", "char *s = \"a \";\n");
	expect_differ("#include <a.h>\n", "#include <a.h >\n");
}

Test(source_norm, line_splices_are_refused)
{
	expect_refused("// a \\\nint x;\n", "line splice");
	expect_refused("#define A 1 \\\n  + 2\n", "line splice");
	expect_refused("int x; // c:\\ \t\r\nint y;\n", "line splice");
	expect_refused("char *s = \"a\\\r\nb\";\n", "line splice");
}

Test(source_norm, trigraphs_raw_strings_digraphs_and_digit_separators_are_refused)
{
	expect_refused("char *s = \"?\?/\";\n", "trigraph");
	expect_refused("/* what?\? */\n", "trigraph");
	expect_refused("char *s = R\"(/* x */)\";\n", "raw string");
	expect_refused("char *s = u8R\"x(a)x\";\n", "raw string");
	expect_refused("%:include <stdio.h>\n", "digraph");
	expect_refused("int n = 1'000;\n", "digit separator");
	/* A string that ends in R is no raw string. */
	expect_norm("char *s = \"FOR\"; // x\n", "char *s = \"FOR\";\n");
}

Test(source_norm, literals_and_comments_left_open_are_refused)
{
	expect_refused("char *s = \"abc;\nint x;\n", "not closed on its line");
	expect_refused("char c = 'a;\n", "not closed on its line");
	expect_refused("#if 0\ndon't\n#endif\n", "not closed on its line");
	expect_refused("int x; /* open\n", "unterminated block comment");
}

Test(source_norm, comments_the_compiler_reads_are_refused)
{
	expect_refused("/* a /* b */\n", "-Wcomment");
	expect_refused("int x; /* caf\xc3\xa9 */\n", ">= 0x80");
	expect_refused("int x; // \xe2\x80\xae rtl\n", ">= 0x80");
	char nul[] = "int x; /* a\0b */\n";
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	cr_expect_not_null(source_norm_c(nul, sizeof(nul) - 1, &sb));
	strbuf_release(&sb);
	expect_refused("case 1: x++; /* FALLTHRU */\ncase 2:\n", "fallthrough");
	expect_refused("x++; // falls through\n", "fallthrough");
	expect_refused("x++; /* anything */\n  case 2: break;\n", "case label");
	expect_refused("x++; // any\ndefault: break;\n", "case label");
	expect_refused("x++; /* any */\nagain: x++;\n", "label");
	/* A label's check does not stop at a directive line. */
	expect_refused("x++; /* any */\n#ifdef A\n#endif\ncase 2:\n", "case label");
	/* Elsewhere a comment before a word is ordinary. */
	expect_norm("/* one */ int x = 1;\n", "          int x = 1;\n");
}

Test(source_norm, other_byte_rules_are_refused)
{
	expect_refused("int x;", "no newline");
	expect_refused("int x;\rint y;\n", "carriage return");
	expect_refused("int x;\f\n", "form feed");
	expect_refused("#embed \"prog.c\"\n", "embed");
	expect_refused("asm(\".incbin \\\"prog.c\\\"\");\n", "incbin");
	expect_refused("/* a\n */ #define X 1\n", "spans lines");
	/* Inside a comment, a form feed is a comment's byte like any other. */
	expect_norm("int x; /*\f*/\n", "int x;\n");
}

Test(source_norm, files_that_are_not_sources_and_build_commands)
{
	cr_expect(source_norm_applies("prog.c"));
	cr_expect(source_norm_applies("common.h"));
	cr_expect_not(source_norm_applies("prog.cc"));
	cr_expect_not(source_norm_applies("Makefile"));
	cr_expect_not(source_norm_applies(".c"));
	const char *ok = "gcc -Wall -Wextra -o prog prog.c";
	cr_expect_null(source_norm_other(ok, strlen(ok)));
	const char *flags[] = {"gcc -Wtrailing-whitespace=any -o p p.c", "clang -Wdocumentation p.c",
			       "clang -Weverything p.c", ".incbin \"prog.c\"", "#embed",
			       "cc -o p p.c && objcopy --add-section .src=p.c p"};
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
		cr_expect_not_null(source_norm_other(flags[i], strlen(flags[i])), "%s", flags[i]);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);
	cr_assert_eq(write_file_atomic(path, text, strlen(text)), 0, "%s", error_last());
	free(path);
}

/* The digest of a folder holding prog.c and a Makefile, or 0 when refused. */
static uint64_t tree_digest(const char *name, const char *prog, const char *makefile,
			    struct strvec *sources)
{
	char *dir = path_join(e2e_tmpdir(), name);
	cr_assert_eq(mkdir_p(dir, 0700), 0);
	put(dir, "prog.c", prog);
	put(dir, "Makefile", makefile);
	struct digest d;
	digest_init(&d);
	const char *why = NULL;
	int rc = source_norm_digest_tree(&d, dir, sources, &why);
	cr_assert_neq(rc, -1, "%s", error_last());
	cr_assert_eq(rc == 1, why != NULL);
	free(dir);
	return rc ? 0 : d.h;
}

Test(source_norm, a_tree_digest_ignores_comments_of_sources_only)
{
	struct strvec a = STRVEC_INIT, b = STRVEC_INIT, c = STRVEC_INIT, e = STRVEC_INIT;
	strvec_init(&a), strvec_init(&b), strvec_init(&c), strvec_init(&e);
	uint64_t da = tree_digest("tree_a", "int x; // Alice\n", "all:\n", &a);
	uint64_t db = tree_digest("tree_b", "int x; /* Bob */\n", "all:\n", &b);
	uint64_t dc = tree_digest("tree_c", "int x;\n", "all: # other\n", &c);
	uint64_t de = tree_digest("tree_e", "int x;\n", "CFLAGS=-Wtrailing-whitespace\n", &e);
	cr_expect_neq(da, 0);
	cr_expect_eq(da, db);
	cr_expect_neq(da, dc, "the Makefile counts byte for byte");
	cr_expect_eq(de, 0, "a Makefile with a flag that reads blanks refuses");
	cr_assert_eq(a.n, 1);
	cr_expect_str_eq(a.v[0], "prog.c");
	/* And never the digest of the same files byte for byte. */
	char *dir = path_join(e2e_tmpdir(), "tree_c");
	struct digest raw;
	digest_init(&raw);
	cr_assert_eq(digest_add_tree(&raw, dir), 0);
	cr_expect_neq(raw.h, dc);
	free(dir);
	strvec_clear(&a), strvec_clear(&b), strvec_clear(&c), strvec_clear(&e);
}

Test(source_norm, sources_untouched_by_a_build)
{
	struct strvec s = STRVEC_INIT;
	strvec_init(&s);
	(void)tree_digest("sub", "int x; // me\n", "all:\n", &s);
	char *sub = path_join(e2e_tmpdir(), "sub");
	char *built = path_join(e2e_tmpdir(), "built");
	cr_assert_eq(mkdir_p(built, 0700), 0);
	cr_assert_eq(copy_tree(sub, built), 0);
	put(built, "prog", "\x7f" "ELF, as a compiler makes it");
	cr_expect(source_norm_sources_untouched(built, sub, &s));
	put(built, "notes.txt", "int x; // me\n");
	cr_expect_not(source_norm_sources_untouched(built, sub, &s),
		      "a text file the build made (a copy of a source, comments included)");
	char *notes = path_join(built, "notes.txt");
	cr_assert_eq(unlink(notes), 0);
	free(notes);
	put(built, "Makefile", "all:\n\tcat prog.c\n");
	cr_expect_not(source_norm_sources_untouched(built, sub, &s), "a file the build changed");
	put(built, "Makefile", "all:\n");
	cr_expect(source_norm_sources_untouched(built, sub, &s));
	put(built, "gen.h", "int y;\n");
	cr_expect_not(source_norm_sources_untouched(built, sub, &s), "a source the build made");
	char *gen = path_join(built, "gen.h");
	cr_assert_eq(unlink(gen), 0);
	put(built, "prog.c", "int x; // changed\n");
	cr_expect_not(source_norm_sources_untouched(built, sub, &s), "a source the build changed");
	free(gen);
	free(sub);
	free(built);
	strvec_clear(&s);
}

Test(source_norm, a_file_larger_than_the_bound_refuses_the_tree)
{
	/* Read whole to be normalised: one byte past the bound, and the tree gets no key. */
	char *dir = path_join(e2e_tmpdir(), "big");
	cr_assert_eq(mkdir_p(dir, 0700), 0);
	put(dir, "prog.c", "int x; // me\n");
	char *data = xmalloc(SOURCE_NORM_FILE_MAX + 1);
	memset(data, 'x', SOURCE_NORM_FILE_MAX + 1);
	char *path = path_join(dir, "data.txt");
	for (size_t size = SOURCE_NORM_FILE_MAX; size <= SOURCE_NORM_FILE_MAX + 1; size++) {
		cr_assert_eq(write_file_atomic(path, data, size), 0, "%s", error_last());
		struct strvec sources = STRVEC_INIT;
		strvec_init(&sources);
		struct digest d;
		digest_init(&d);
		const char *why = NULL;
		int rc = source_norm_digest_tree(&d, dir, &sources, &why);
		if (size == SOURCE_NORM_FILE_MAX) {
			cr_expect_eq(rc, 0, "%zu bytes: %s", size, why ? why : "");
		} else {
			cr_expect_eq(rc, 1, "%zu bytes", size);
			cr_expect(why && strstr(why, "larger"), "%s", why ? why : "no reason");
		}
		strvec_clear(&sources);
	}
	free(path);
	free(data);
	free(dir);
}
