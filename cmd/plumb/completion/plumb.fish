# fish completion for plumb.
# Load it with: plumb completion fish | source
# or install it as plumb.fish in ~/.config/fish/completions.
#
# plumb itself works out the candidates (plumb __complete): commands,
# flags, the values of -format and the like, and addresses read from the
# state and the configuration of the folder (or of -chdir).

function __plumb_complete
    set -l token (commandline -ct)
    set -l typed (string unescape -- "$token")
    set -q typed[1]; or set typed ""
    set -l words (commandline -opc) $typed
    set -l out (command $words[1] __complete fish $words[2..-1] 2>/dev/null)
    or return
    # A file or folder named in -flag=VALUE keeps the -flag= in front.
    set -l flag (string match -r -- '^-[^=]*=' "$token")
    set -l rest (string replace -r -- '^-[^=]*=' '' "$token")
    switch "$out[1]"
        case files
            for p in (__fish_complete_path "$rest")
                printf '%s%s\n' "$flag" $p
            end
        case dirs
            for p in (__fish_complete_directories "$rest")
                printf '%s%s\n' "$flag" $p
            end
        case '*'
            printf '%s\n' $out[2..-1]
    end
end

complete -c plumb -f -a '(__plumb_complete)'
