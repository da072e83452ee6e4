#!/bin/sh
# in_autograder.sh DIR NEWROOT CMD [ARG...]
#
# Runs CMD in /autograder with the folder DIR mounted at /autograder, as
# Gradescope's container has it, without touching the machine: in a private
# mount namespace, on a new root (a tmpfs mounted on the empty folder NEWROOT)
# that holds the machine's top-level folders, bound, and /autograder.  As
# root the namespace is a mount namespace; for anyone else it is a user and
# mount namespace (unshare -rm), where that user is root long enough to mount,
# and then, in a user namespace nested in it, itself again: as root, the
# grader would switch student code to a user that namespace does not have.
#
# Exit status 125: this machine cannot make these namespaces (the message
# says which); otherwise CMD's.
set -eu
if [ -z "${IN_AUTOGRADER_IDS:-}" ]; then
	flags=--mount
	[ "$(id -u)" -eq 0 ] || flags="--map-root-user --mount"
	if ! unshare $flags true 2>/dev/null; then
		echo "in_autograder.sh: unshare $flags is refused here" >&2
		exit 125
	fi
	# shellcheck disable=SC2086 # two words for an ordinary user
	IN_AUTOGRADER_IDS="$(id -u) $(id -g)" exec unshare $flags --propagation private "$0" "$@"
fi
# shellcheck disable=SC2086 # two words
set -- $IN_AUTOGRADER_IDS "$@"
unset IN_AUTOGRADER_IDS
uid=$1 gid=$2 dir=$3 new=$4
shift 4
back=""
if [ "$uid" -ne 0 ]; then
	back="unshare --map-user=$uid --map-group=$gid"
	if ! $back true 2>/dev/null; then
		echo "in_autograder.sh: this unshare cannot map a user back (--map-user, util-linux 2.36)" >&2
		exit 125
	fi
fi
mount -t tmpfs -o mode=755 autograder-root "$new"
for entry in /*; do
	name=${entry#/}
	if [ -L "$entry" ]; then
		ln -s "$(readlink "$entry")" "$new/$name"
	elif [ -d "$entry" ] && [ "$name" != autograder ]; then
		mkdir "$new/$name"
		mount --rbind "$entry" "$new/$name"
	fi
done
mkdir "$new/autograder"
mount --bind "$dir" "$new/autograder"
cd "$new"
mkdir .old-root
pivot_root . .old-root
umount -l /.old-root
rmdir /.old-root
cd /autograder
exec $back "$@"
