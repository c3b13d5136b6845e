# bash completion for sink(1). Installed as share/bash-completion/completions/sink;
# or load it by hand: source completions/sink.bash
#
# Completes the commands, the flags of each command, the values of --color, --format
# and --platform, question names for --set and step names for --only, --skip and --from
# (from ./Sinkfile), the Host names of ~/.ssh/config for --host, and files for FILE,
# --facts, --vars and --hosts. The flags and values are those of src/cli/args.cpp.

_sink_commands="check plan apply facts export fmt grammar help"
_sink_global_flags="--color --help --version"
_sink_platforms="linux darwin freebsd openbsd netbsd debian ubuntu fedora arch alpine centos rhel rocky almalinux amzn opensuse linuxmint pop manjaro nixos raspbian gentoo void kali"
_sink_archs="x86_64 arm64"

# The flags of COMMAND (without the global ones).
_sink_flags_of() {
  case $1 in
    check) echo "--format --ci --set --vars" ;;
    plan) echo "--platform --facts --set --vars --only --skip --from --format --detailed-exitcode --host --hosts --jobs" ;;
    apply) echo "--set --vars --only --skip --from --host --hosts --jobs" ;;
    facts) echo "--platform --facts --set --vars --format --host --hosts --jobs" ;;
    export) echo "--platform --set --vars --only --skip --from --output" ;;
    fmt) echo "--check" ;;
    grammar) echo "--format" ;;
  esac
}

# Whether FLAG takes a value.
_sink_takes_value() {
  case $1 in
    --color | --format | --platform | --facts | --set | --vars | --only | --skip | --from | --output | -o) return 0 ;;
    --host | --hosts | --jobs) return 0 ;;
  esac
  return 1
}

# Completes the value CUR of FLAG for COMMAND into COMPREPLY.
_sink_value() {
  local flag=$1 cur=$2 command=$3
  case $flag in
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")) ;;
    --format)
      if [ "$command" = grammar ]; then
        COMPREPLY=($(compgen -W "textmate vim" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "text json" -- "$cur"))
      fi
      ;;
    --platform)
      if [[ $cur == */* ]]; then
        COMPREPLY=($(compgen -P "${cur%%/*}/" -W "$_sink_archs" -- "${cur#*/}"))
      else
        COMPREPLY=($(compgen -W "$_sink_platforms" -- "$cur"))
      fi
      ;;
    --host)
      # The Host names of ~/.ssh/config, patterns aside.
      local hosts
      hosts=$(awk 'tolower($1) == "host" { for (i = 2; i <= NF; i++) if ($i !~ /[*?!]/) print $i }' ~/.ssh/config 2>/dev/null)
      COMPREPLY=($(compgen -W "$hosts" -- "$cur"))
      ;;
    --output | -o | --hosts)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
    --facts | --vars)
      # TOML files and folders.
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -X '!*.toml' -- "$cur") $(compgen -d -- "$cur"))
      ;;
    --only | --skip | --from)
      # The step names of ./Sinkfile (written `step "NAME"` or `step 'NAME'`), quoted for
      # the shell; what was typed is compared without its backslashes and quotes.
      if [ -r Sinkfile ]; then
        local name typed=${cur//\\/}
        typed=${typed#[\"\']}
        while IFS= read -r name; do
          [[ $name == "$typed"* ]] && COMPREPLY+=("$(printf '%q' "$name")")
        done < <(sed -n 's/^[[:space:]]*step[[:space:]][[:space:]]*"\([^"]*\)".*/\1/p; s/^[[:space:]]*step[[:space:]][[:space:]]*'"'"'\([^'"'"']*\)'"'"'.*/\1/p' Sinkfile 2>/dev/null | sort -u)
      fi
      ;;
    --set)
      # NAME= for the questions of ./Sinkfile; the value is the user's.
      if [[ $cur != *=* && -r Sinkfile ]]; then
        local names
        names=$(sed -n 's/^[[:space:]]*ask[[:space:]][[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\).*/\1=/p' Sinkfile 2>/dev/null)
        COMPREPLY=($(compgen -W "$names" -- "$cur"))
        compopt -o nospace 2>/dev/null
      fi
      ;;
  esac
}

_sink() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD - 1]}
  COMPREPLY=()

  # The command: the first word that is neither a flag nor a flag's value. Bash splits
  # --flag=value into `--flag`, `=` and `value`.
  local command="" i=1 w
  while [ "$i" -lt "$COMP_CWORD" ]; do
    w=${COMP_WORDS[i]}
    if [ "$w" = "--" ]; then
      break
    elif [[ $w == -* ]]; then
      if [ "${COMP_WORDS[i + 1]}" = "=" ]; then
        i=$((i + 2))
      elif _sink_takes_value "$w"; then
        i=$((i + 1))
      fi
    elif [ -z "$command" ]; then
      command=$w
    fi
    i=$((i + 1))
  done

  # A flag's value: `--flag VALUE`, `--flag=VALUE` (split by bash) or `--flag=`.
  if [ "$cur" = "=" ] && _sink_takes_value "$prev"; then
    _sink_value "$prev" "" "$command"
    return
  fi
  if [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ] && _sink_takes_value "${COMP_WORDS[COMP_CWORD - 2]}"; then
    _sink_value "${COMP_WORDS[COMP_CWORD - 2]}" "$cur" "$command"
    return
  fi
  if [[ $prev == -* ]] && _sink_takes_value "$prev"; then
    _sink_value "$prev" "$cur" "$command"
    return
  fi

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_sink_flags_of "$command") $_sink_global_flags" -- "$cur"))
    return
  fi

  case $command in
    "") COMPREPLY=($(compgen -W "$_sink_commands" -- "$cur")) ;;
    help) COMPREPLY=($(compgen -W "$_sink_commands" -- "$cur")) ;;
    grammar) ;;
    fmt)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      [ -z "$cur" ] && COMPREPLY+=(-)
      ;;
    *)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
  esac
}

complete -F _sink sink
