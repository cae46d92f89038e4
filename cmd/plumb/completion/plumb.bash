# bash completion for plumb.                                 -*- shell-script -*-
# Load it with: source <(plumb completion bash)
# or install it as /usr/share/bash-completion/completions/plumb.
#
# plumb itself works out the candidates (plumb __complete): commands,
# flags, the values of -format and the like, and addresses read from the
# state and the configuration of the folder (or of -chdir).

_plumb() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    # Right after a word-break character (-target=), readline replaces
    # nothing before the cursor: the word bash gives is the break itself.
    if [[ -n $cur && -z ${cur//["$COMP_WORDBREAKS"]/} ]]; then
        cur=
    fi
    local out
    out=$("${COMP_WORDS[0]}" __complete bash "$cur" "${COMP_LINE:0:COMP_POINT}" 2>/dev/null) || return 0
    local directive=${out%%$'\n'*}
    COMPREPLY=()
    case $directive in
    files)
        # No candidates: readline completes file names itself.
        compopt -o default 2>/dev/null
        return 0
        ;;
    dirs)
        compopt -o dirnames 2>/dev/null
        return 0
        ;;
    nospace)
        compopt -o nospace 2>/dev/null
        ;;
    esac
    [[ $out == *$'\n'?* ]] || return 0
    # One candidate a line, already quoted by plumb for the command line.
    mapfile -t COMPREPLY <<<"${out#*$'\n'}"
}

complete -F _plumb plumb
