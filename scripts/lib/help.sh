# Sourced first by every script in scripts/ (not run): `-h` or `--help` among the arguments prints
# the script's header comment (from line 2 to the first line that is not a comment) and exits 0,
# before the script builds, installs or starts anything.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/help.sh" "$@"
for _help_arg in "$@"; do
    case "$_help_arg" in
    -h | --help)
        awk 'NR == 1 && /^#!/ { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[1]}"
        exit 0
        ;;
    esac
done
unset _help_arg
