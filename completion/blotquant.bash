# bash completion for blotquant(1): commands, each command's options, and the
# values of the options that take a fixed set of words. Anything else (images,
# tables, folders, numbers) falls back to bash's file name completion.
# Installed as <datadir>/bash-completion/completions/blotquant; works with or
# without the bash-completion package. tests/install/completion.sh checks the
# lists below against each command's --help.

_blotquant_options()
{
    local quant='--rows --ladder --lanes --invert --no-invert --roi --page --background --channel
        --max-pixels --lane-centres --lane-width --lanes-from --save-lanes'
    local fit='--top --bottom --free-bottom --no-hook --hook-exclude --keep-flagged
        --hook-unflagged-only'
    case $1 in
    quant)
        echo "$quant --overlay --format -o --output -q --quiet -h --help" ;;
    fit)
        echo "$fit --dose-col --response-col --ci --level --unit --group --target --control
            --plot --format -o --output -q --quiet -h --help" ;;
    analyze)
        echo "$quant $fit --samples --target --control --ci --two-channel
            -o --output -q --quiet -h --help" ;;
    batch)
        echo "$quant $fit --samples --target --control --ci -j --jobs --resume --shard
            -o --output -q --quiet -h --help" ;;
    merge)
        echo "-o --output -q --quiet -h --help" ;;
    simulate)
        echo "--preset --seed --width --height --lanes --vehicles --ladder --rows --band-sigma
            --polarity --two-channel --margin --uneven --tilt --smile --mw-curve --gradient --smear
            --dust --noise --adc-step --strips --labels --no-labels --saturate
            --no-saturate --offset --peak --dc50 --hill --dmax --hook --no-hook
            --loading-cv --dose-min --dose-max --compression -o --output -q --quiet
            -h --help" ;;
    esac
}

# The words an option's value can be, for options with a fixed set.
_blotquant_values()
{
    case $1 in
    --background) echo 'auto rolling-ball border-median none' ;;
    --channel) echo 'auto red green blue combined' ;;
    --format) echo 'csv json' ;;
    --ci) echo 'profile wald' ;;
    --unit) echo 'pM nM uM mM M' ;;
    --preset) echo 'clean artefacts geometry saturated kt253 strips hook hard' ;;
    --polarity) echo 'bright dark' ;;
    --compression) echo 'deflate none lzw' ;;
    esac
}

_blotquant()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local words
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        words='quant fit analyze batch merge simulate --help --version'
    else
        words=$(_blotquant_values "$prev")
        if [ -z "$words" ]; then
            [[ $cur == -* ]] || return 0
            words=$(_blotquant_options "${COMP_WORDS[1]}")
        fi
    fi
    local IFS=$' \t\n'
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

complete -o default -F _blotquant blotquant
