# bash completion for etls(1); installed as
# share/bash-completion/completions/etls.  Commands and options follow
# controller/cli_table.c (etls help COMMAND).
_etls()
{
    local cur prev words cword
    _init_completion -n = || return

    local cmds="validate plan apply run status force-unlock config version
                help"
    local general="-h --help --no-color --log-level"
    local conn="--cluster --ca-cert --insecure --sim --token-file --uid
                --password-file --private-key --request-timeout
                --max-connections --trace"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -*) ;;
        *)
            cmd=${words[i]}
            break
            ;;
        esac
    done

    case $prev in
    -f | --file)
        _filedir '@(json|yaml|yml)'
        [[ $cur == - || -z $cur ]] && COMPREPLY+=(-)
        return
        ;;
    --ca-cert | --token-file | --password-file | --private-key | --out | -out | \
        --git-credentials)
        _filedir
        return
        ;;
    --sim)
        _filedir -d
        return
        ;;
    -o | --output)
        COMPREPLY=($(compgen -W "text json markdown" -- "$cur"))
        return
        ;;
    --log-level)
        COMPREPLY=($(compgen -W "debug info warn error" -- "$cur"))
        return
        ;;
    --log-format)
        COMPREPLY=($(compgen -W "logfmt json" -- "$cur"))
        return
        ;;
    --cluster | --uid | --timeout | --lock-timeout | --lock-ttl | \
        --request-timeout | --max-connections | --resync | --listen | \
        --max-concurrent | --grace | --backoff-max | --git | --ref | --path | \
        --git-interval | --server)
        return
        ;;
    esac
    if [[ $cur == --*=* ]]; then
        return
    fi

    local opts
    case $cmd in
    "")
        COMPREPLY=($(compgen -W "$cmds --help" -- "$cur"))
        return
        ;;
    help)
        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return
        ;;
    validate) opts="-f --file $conn $general" ;;
    plan)
        opts="-f --file -o --output --detailed-exitcode --out $conn
              $general"
        ;;
    apply)
        opts="-f --file --auto-approve --timeout --lock-timeout --lock-ttl
              $conn $general"
        if [[ $cur != -* ]]; then
            _filedir
            return
        fi
        ;;
    run)
        opts="-f --file --resync --listen --detect-only --max-concurrent
              --grace --backoff-max --log-format --git --ref --path
              --git-interval --git-credentials --timeout --lock-timeout
              --lock-ttl $conn $general"
        ;;
    status) opts="--server -o --output --request-timeout $general" ;;
    force-unlock | config) opts="$conn $general" ;;
    *) opts="$general" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
} && complete -F _etls etls
