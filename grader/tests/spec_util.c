#include "spec_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void spec_test_to_root(void)
{
	const char *root = getenv("GRADER_ROOT");
	if (root)
		cr_assert_eq(chdir(root), 0, "chdir %s", root);
}

struct spec *load_ok(const char *path)
{
	struct strvec errors = STRVEC_INIT;
	struct spec *spec = spec_load(path, &errors);

	cr_assert_not_null(spec, "%s should load, got: %s", path, errors.n ? errors.v[0] : "");
	cr_assert_eq(errors.n, 0);
	strvec_clear(&errors);
	return spec;
}

void assert_errors(const char *path, const char *const *want, size_t nwant)
{
	struct strvec errors = STRVEC_INIT;
	struct spec *spec = spec_load(path, &errors);

	cr_assert_null(spec, "%s should be rejected", path);
	for (size_t i = 0; i < errors.n && i < nwant; i++)
		cr_assert_str_eq(errors.v[i], want[i], "%s: error %zu", path, i + 1);
	cr_assert_eq(errors.n, nwant, "%s: %zu errors, want %zu (first: %s)", path, errors.n, nwant,
		     errors.n ? errors.v[0] : "");
	strvec_clear(&errors);
}

struct spec *load_text(const char *yaml, struct strvec *errors)
{
	char *dir = make_scratch_dir("grader-spec-test");
	char *file;
	FILE *f;
	struct spec *spec;

	cr_assert_not_null(dir, "%s", error_last());
	file = path_join(dir, "spec.yaml");
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs(yaml, f);
	fclose(f);
	strvec_init(errors);
	spec = spec_load(file, errors);
	for (size_t i = 0; i < errors->n; i++) {
		char *short_form = xstrdup(errors->v[i] + strlen(dir) + 1);
		free(errors->v[i]);
		errors->v[i] = short_form;
	}
	unlink(file);
	rmdir(dir);
	free(file);
	free(dir);
	return spec;
}

struct spec *text_ok(const char *yaml)
{
	struct strvec errors;
	struct spec *spec = load_text(yaml, &errors);

	cr_assert_not_null(spec, "should load, got: %s", errors.n ? errors.v[0] : "");
	strvec_clear(&errors);
	return spec;
}

void text_error(const char *yaml, const char *want)
{
	struct strvec errors;
	struct spec *spec = load_text(yaml, &errors);

	cr_assert_null(spec, "should be rejected: %s", yaml);
	cr_assert_eq(errors.n, 1, "want one error, got %zu (first: %s)", errors.n,
		     errors.n ? errors.v[0] : "");
	cr_assert_str_eq(errors.v[0], want);
	strvec_clear(&errors);
}
