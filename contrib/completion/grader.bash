# bash completion for grader(1): commands, their flags, spec folders and, after
# --test, the test names of the spec on the command line.
# `make install` puts it in $(PREFIX)/share/bash-completion/completions/grader,
# where bash-completion loads it on first use; or: source contrib/completion/grader.bash

# The test names of a spec (a spec.yaml or its folder): each `- name: ...` of its tests.
_grader_test_names()
{
	local spec=$1
	[[ -d $spec ]] && spec=$spec/spec.yaml
	[[ -f $spec ]] || return
	sed -n 's/^[[:space:]]*-[[:space:]]*name:[[:space:]]*//p' "$spec" |
		sed 's/[[:space:]]*#.*$//; s/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/'
}

_grader()
{
	local cur prev cmd i word spec="" args=0
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="grade check batch report import validate"

	if [[ $COMP_CWORD -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}

	local flags
	case $cmd in
	grade) flags="-o --output --format --keep-scratch --no-sandbox --seed --test --help" ;;
	check) flags="-o --output --spec --seed --test --help" ;;
	batch) flags="-o --output -j --jobs --resume --no-sandbox --seed --shard --test --roster --gradebook --gradebook-column --help" ;;
	report) flags="--root --roster --gradebook --gradebook-column --help" ;;
	import) flags="--write-roster --help" ;;
	validate) flags="--help" ;;
	*) return ;;
	esac

	# The spec on the line so far: --spec's value, else the first argument.
	for ((i = 2; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		-o | --output | --format | --seed | -j | --jobs | --shard | --root | --test | --roster | --gradebook | \
		--gradebook-column | --write-roster) ((i++)) ;;
		--spec) spec=${COMP_WORDS[i+1]}; ((i++)) ;;
		-*) ;;
		*) ((args++)); [[ $args -eq 1 && -z $spec ]] && spec=$word ;;
		esac
	done

	case $prev in
	-o | --output | --root)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--format)
		COMPREPLY=($(compgen -W "human json" -- "$cur"))
		return ;;
	--roster | --write-roster)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--gradebook)
		COMPREPLY=($(compgen -W "generic canvas moodle blackboard" -- "$cur"))
		return ;;
	--seed | -j | --jobs | --shard | --gradebook-column)
		return ;;
	--test)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_grader_test_names "$spec")" -- "$cur"))
		# A name with spaces is one word: quoted as the shell would need it.
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$(printf '%q' "${COMPREPLY[i]}")
		done
		return ;;
	--spec)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur"))
		return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
		return
	fi
	# import: the LMS first, then the archive and the folder it makes.
	if [[ $cmd == import ]]; then
		if [[ $args -eq 0 ]]; then
			COMPREPLY=($(compgen -W "canvas moodle" -- "$cur"))
		else
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return
	fi
	# Arguments: spec folders (and spec files) first, then submission folders.
	compopt -o filenames 2>/dev/null
	if [[ $args -eq 0 && $cmd != validate ]] || [[ $cmd == validate ]]; then
		COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur"))
	else
		COMPREPLY=($(compgen -d -- "$cur"))
	fi
}
complete -F _grader grader
