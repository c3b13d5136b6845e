# ---- sink's runtime: the same for every exported Sinkfile ----------------------------
# Values live in shell variables: SINK_<name> the value, sink_h_<name> set when it has
# one, sink_z_<name> the value as shown (secrets masked), sink_y_<name> why it has none.
# Names are the Sinkfile's identifiers, so every eval below only ever sees variable names.

sink_nl='
'
sink_mask='••••••'

sink_say() { printf '%s\n' "$*" >&2; }
sink_paint() {  # CODE TEXT: TEXT in colour on a terminal
  if [ -n "$sink_color" ]; then printf '\033[%sm%s\033[0m\n' "$1" "$2" >&2; else printf '%s\n' "$2" >&2; fi
}
sink_usage() {
  sink_say "error: $1" "" "Usage: sh $0 [--plan | --facts] [--report] [--only NAME]... [--skip NAME]... [--from NAME]"
  exit 2
}

# One record of --report: sink:KIND, then TAB-separated fields with \ TAB and newline escaped.
sink_record() {
  [ -n "$sink_report" ] || return 0
  sink_rec="sink:$1"
  shift
  for sink_f in "$@"; do
    case $sink_f in
      *\\* | *"$sink_tab"* | *"$sink_nl"*)
        sink_f=$(SINK_R=$sink_f command awk 'BEGIN { s = ENVIRON["SINK_R"]; n = length(s); o = ""
          for (i = 1; i <= n; i++) { c = substr(s, i, 1)
            if (c == "\\") o = o "\\\\"; else if (c == "\t") o = o "\\t"; else if (c == "\n") o = o "\\n"; else o = o c }
          printf "%s", o }') ;;
    esac
    sink_rec="$sink_rec$sink_tab$sink_f"
  done
  printf '%s\n' "$sink_rec"
}

# The clock: bash's $SECONDS costs nothing; `date` costs a process, so under other shells
# a step's own time is left out (the run's total time is still shown).
sink_now() {
  if [ -n "$sink_seconds" ]; then sink_t=$SECONDS; else sink_t=$(command date +%s 2>/dev/null) || sink_t=0; fi
}
sink_took() { sink_now; sink_secs="$((sink_t - $1))s"; }

# ---- values -------------------------------------------------------------------------

sink_trim() {  # sink_out without surrounding blanks
  sink_out=${sink_out#"${sink_out%%[![:space:]]*}"}
  sink_out=${sink_out%"${sink_out##*[![:space:]]}"}
}

# sink_out as TYPE (string, bool, int, version), in place; fails with sink_why.
sink_typed() {
  case $1 in
    bool)
      sink_trim
      case $sink_out in
        [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn] | 1) sink_out=true ;;
        [Ff][Aa][Ll][Ss][Ee] | [Nn][Oo] | [Oo][Ff][Ff] | 0 | '') sink_out=false ;;
        *) sink_why='is not true or false'; return 1 ;;
      esac ;;
    int)
      sink_trim
      case $sink_out in -*) sink_sg=- sink_s=${sink_out#-} ;; *) sink_sg='' sink_s=$sink_out ;; esac
      case $sink_s in '' | *[!0-9]*) sink_why='is not a whole number'; return 1 ;; esac
      sink_s=${sink_s#"${sink_s%%[!0]*}"}
      [ -n "$sink_s" ] || sink_sg='' sink_s=0
      if [ -n "$sink_sg" ]; then sink_numcmp "$sink_s" 9223372036854775808; else sink_numcmp "$sink_s" 9223372036854775807; fi
      if [ "$sink_c" = 1 ]; then
        sink_why='is out of range: a whole number is from -9223372036854775808 to 9223372036854775807'
        return 1
      fi
      sink_out=$sink_sg$sink_s ;;
    version)
      sink_version "$sink_out" || return 1
      sink_out=$sink_v ;;
  esac
}

# The first dotted number in $1 (v20.11.1 -> 20.11.1) as sink_v; fails with sink_why.
sink_version() {
  sink_s=${1#"${1%%[0-9]*}"}
  [ -n "$sink_s" ] || { sink_why='has no version number in it'; return 1; }
  sink_v=
  while :; do
    sink_d=${sink_s%%[!0-9]*}
    sink_s=${sink_s#"$sink_d"}
    if [ "${#sink_d}" -gt 18 ]; then sink_why='has a version part of more than 18 digits'; return 1; fi
    sink_d=${sink_d#"${sink_d%%[!0]*}"}
    sink_v=$sink_v${sink_v:+.}${sink_d:-0}
    case $sink_s in .[0-9]*) sink_s=${sink_s#.} ;; *) return 0 ;; esac
  done
}

# Compares two whole numbers of any length (no leading zeros): sink_c is -1, 0 or 1.
sink_numcmp() {
  if [ "${#1}" -ne "${#2}" ]; then
    if [ "${#1}" -lt "${#2}" ]; then sink_c=-1; else sink_c=1; fi
  elif [ "$1" = "$2" ]; then sink_c=0
  elif [ "${#1}" -le 18 ]; then
    if [ "$1" -lt "$2" ]; then sink_c=-1; else sink_c=1; fi
  elif command expr "x$1" \< "x$2" >/dev/null; then sink_c=-1
  else sink_c=1
  fi
}

# Compares sink_a with sink_b as TYPE with OP (eq ne lt le gt ge): status 0 true, 1 false.
sink_cmp() {
  case $1 in
    version)
      # A negative number is below every version.
      case $sink_a in -[0-9]*) sink_x=-1 ;; *) sink_x=0 ;; esac
      case $sink_b in -[0-9]*) sink_y=-1 ;; *) sink_y=0 ;; esac
      sink_c=$((sink_x - sink_y))
      if [ "$sink_c" = 0 ]; then
        sink_version "$sink_a" || { [ "$2" = ne ]; return; }
        sink_x=$sink_v
        sink_version "$sink_b" || { [ "$2" = ne ]; return; }
        sink_y=$sink_v
      else
        sink_x='' sink_y=''
      fi
      while [ -n "$sink_x$sink_y" ]; do
        sink_p=${sink_x%%.*} sink_q=${sink_y%%.*}
        case $sink_x in *.*) sink_x=${sink_x#*.} ;; *) sink_x= ;; esac
        case $sink_y in *.*) sink_y=${sink_y#*.} ;; *) sink_y= ;; esac
        sink_numcmp "${sink_p:-0}" "${sink_q:-0}"
        [ "$sink_c" = 0 ] || break
      done ;;
    int)
      sink_out=$sink_a; sink_typed int || { [ "$2" = ne ]; return; }
      sink_x=$sink_out
      sink_out=$sink_b; sink_typed int || { [ "$2" = ne ]; return; }
      sink_y=$sink_out
      if [ "$sink_x" = "$sink_y" ]; then sink_c=0; elif [ "$sink_x" -lt "$sink_y" ]; then sink_c=-1; else sink_c=1; fi ;;
    *)  # text and bool: == and != only (the checker refuses to order them)
      if [ "$sink_a" = "$sink_b" ]; then sink_c=0; else sink_c=1; fi ;;
  esac
  case $2 in
    eq) [ "$sink_c" = 0 ] ;;
    ne) [ "$sink_c" != 0 ] ;;
    lt) [ "$sink_c" = -1 ] ;;
    le) [ "$sink_c" != 1 ] ;;
    gt) [ "$sink_c" = 1 ] ;;
    ge) [ "$sink_c" != -1 ] ;;
  esac
}

# Whether NAME has a value; if not, the first such name of a condition is sink_missing.
sink_has() {
  eval "[ -n \"\${sink_h_$1-}\" ]" && return 0
  [ -n "$sink_missing" ] || sink_missing=$1
  return 1
}
# Three-valued logic: 0 true, 1 false, 2 unknown (a name without a value).
# sink_and L R MISSING_L MISSING_R: L and R, sink_m the name that leaves it unknown.
sink_and() { sink_logic 1 "$@"; }
sink_or() { sink_logic 0 "$@"; }
sink_logic() {  # WINS L R MISSING_L MISSING_R: WINS (false for and, true for or) when a side is it
  sink_m=$5
  case $2 in "$1") return "$1" ;; 0 | 1) return "$3" ;; esac
  sink_m=$4
  [ "$3" = "$1" ] && return "$1"
  return 2
}
sink_not() { case $1 in 0) return 1 ;; 1) return 0 ;; esac; return 2; }

# Sets NAME's value to sink_out (SECRET: 1 masks it wherever it is shown).
sink_set() {
  eval "SINK_$1=\$sink_out; sink_h_$1=1"
  if [ "$2" = 1 ]; then eval "sink_z_$1=\$sink_mask; sink_s_$1=1"; else eval "sink_z_$1=\$sink_out"; fi
}
sink_none() {  # NAME WHY: settled without a value
  eval "sink_y_$1=\$2; SINK_$1=; sink_z_$1="
}
sink_blocker() { sink_blockers="$sink_blockers  $1$sink_nl"; }
sink_no_value() {  # NAME: sink_why says that NAME is needed but has no value, and why
  eval "sink_x=\${sink_y_$1-}"
  sink_why="needs \`$1\`, which has no value${sink_x:+: $sink_x}"
}

# Resolves NAME (a fact, a question or a built-in) once, with what it needs first.
sink_r() {
  eval "[ -n \"\${sink_d_$1-}\" ]" && return 0
  eval "sink_d_$1=1"
  "sink_f_$1"
}

# A fact: sink_fact NAME TYPE FLAGS SHOWN, where FLAGS holds d (default), r (required), s
# (secret) and SHOWN is its command as shown. Then sink_got STATUS settles it.
sink_fact() { sink_fn=$1 sink_ft=$2 sink_ff=$3 sink_fk=$4 sink_fc=${5-}; }
sink_deps() {  # DEP...: fails (settling the fact) when one has no value
  for sink_dep; do
    eval "[ -n \"\${sink_s_$sink_dep-}\" ]" && sink_ff="${sink_ff}s"  # a value made from a secret is one
    eval "[ -n \"\${sink_h_$sink_dep-}\" ]" && continue
    sink_no_value "$sink_dep"
    sink_failed "$sink_why"
    return 1
  done
}
sink_keep() {  # sink_out as the fact's value, when it is of the fact's type (else fails with sink_why)
  sink_typed "$sink_ft" || return 1
  case $sink_ff in *s*) sink_set "$sink_fn" 1 ;; *) sink_set "$sink_fn" 0 ;; esac
}
sink_got() {
  if [ "$sink_ft" = bool ] && [ "$sink_fk" = sh ]; then
    if [ "$1" = 0 ]; then sink_out=true; else sink_out=false; fi
  elif [ "$1" != 0 ]; then
    sink_failed "$sink_fc exited with status $1"
    return
  fi
  [ "$sink_fk" = sh ] && sink_trim
  if [ -z "$sink_out" ] && [ "$sink_fk" = sh ] && [ "$sink_ft" != string ]; then
    sink_failed "$sink_fc printed nothing"
    return
  fi
  sink_raw=$sink_out
  sink_keep && return
  # A value of the wrong type stops the run.
  case $sink_ff in *s*) sink_raw=$sink_mask ;; esac
  case $sink_ft in int) sink_x="an int" ;; *) sink_x="a $sink_ft" ;; esac
  sink_why="got \"$sink_raw\", which $sink_why ($sink_x fact)"
  sink_none "$sink_fn" "$sink_why"
  sink_blocker "error[E402]: fact \`$sink_fn\` $sink_why"
}
sink_failed() {  # WHY: the default stands in, or a required fact stops the run
  sink_none "$sink_fn" "$1"  # WHY stays, shown beside the default
  case $sink_ff in
    *d*)
      "sink_default_$sink_fn"
      sink_keep ;;
    *r*) sink_blocker "error[E401]: required fact \`$sink_fn\` failed: $1" ;;
    *) if [ "$sink_ft" = bool ]; then sink_out=false; sink_set "$sink_fn" 0; fi ;;
  esac
}
sink_env_fact() {  # VARIABLE
  if eval "[ -n \"\${$1+x}\" ]"; then eval "sink_out=\$$1"; sink_got 0; else sink_failed "environment variable $1 is not set"; fi
}

# A question: sink_ask NAME VARIABLE PROMPT HAS_DEFAULT DEFAULT SECRET CHOICE...
sink_ask() {
  sink_an=$1 sink_av=$2 sink_ap=$3 sink_ah=$4 sink_ad=$5 sink_as=$6
  shift 6
  if eval "[ -n \"\${$sink_av+x}\" ]"; then
    eval "sink_out=\$$sink_av"
    if ! sink_choice "$sink_out" "$@"; then
      [ "$sink_as" = 1 ] && sink_out=$sink_mask
      sink_none "$sink_an" "not a choice"
      sink_blocker "error[E403]: $sink_av: \"$sink_out\" is not a choice of \`$sink_an\`: $sink_choices"
      return
    fi
    sink_set "$sink_an" "$sink_as"
  elif [ "$sink_mode" = apply ] && [ -n "$sink_tty" ]; then
    sink_prompt "$@"
  elif [ "$sink_ah" = 1 ]; then
    sink_out=$sink_ad
    sink_set "$sink_an" "$sink_as"
  else
    sink_none "$sink_an" "not answered: set $sink_av"
    eval "sink_unanswered_$sink_an=\$sink_av"
  fi
}
sink_choice() {  # VALUE CHOICE...: whether VALUE is one of the choices (any, when none)
  sink_x=$1
  shift
  [ $# = 0 ] && return 0
  sink_choices=
  for sink_c; do sink_choices="$sink_choices${sink_choices:+, }$sink_c"; done
  for sink_c; do [ "$sink_x" = "$sink_c" ] && return 0; done
  return 1
}
sink_prompt() {
  sink_c=
  for sink_x; do sink_c="$sink_c${sink_c:+/}$sink_x"; done
  sink_q="$sink_ap${sink_c:+ ($sink_c)}"
  if [ "$sink_ah" = 1 ]; then
    if [ "$sink_as" = 1 ]; then sink_q="$sink_q [$sink_mask]"; else sink_q="$sink_q [$sink_ad]"; fi
  fi
  while :; do
    printf '%s: ' "$sink_q" >&2
    [ "$sink_as" = 1 ] && command stty -echo 2>/dev/null
    IFS= read -r sink_out
    sink_rc=$?
    [ "$sink_as" = 1 ] && { command stty echo 2>/dev/null; printf '\n' >&2; }
    if [ "$sink_rc" != 0 ] && [ -z "$sink_out" ]; then
      sink_none "$sink_an" "no answer was given"
      sink_blocker "error[E403]: question \`$sink_an\` has no answer: no answer was given"
      return
    fi
    [ -z "$sink_out" ] && [ "$sink_ah" = 1 ] && sink_out=$sink_ad
    if [ -z "$sink_out" ]; then sink_say "  an answer is needed"; continue; fi
    if sink_choice "$sink_out" "$@"; then sink_set "$sink_an" "$sink_as"; return; fi
    sink_say "  \"$sink_out\" is not one of the choices; choose one of: $sink_choices"
  done
}

# ---- the machine --------------------------------------------------------------------

sink_machine() {
  sink_uname=$(command uname -snm 2>/dev/null)
  set -f
  # shellcheck disable=SC2086
  set -- $sink_uname
  set +f
  sink_host=${2-}
  if [ -z "$sink_os" ]; then
    sink_os=$(printf '%s' "${1-}" | command tr '[:upper:]' '[:lower:]')
    if [ "$sink_os" = darwin ]; then
      sink_distro=darwin
      sink_distro_version=$(command sw_vers -productVersion 2>/dev/null) || sink_distro_version=
    else
      for sink_f in /etc/os-release /usr/lib/os-release; do
        [ -r "$sink_f" ] || continue
        while IFS= read -r sink_x || [ -n "$sink_x" ]; do
          sink_x=${sink_x%"$(printf '\r')"}
          sink_v=${sink_x#*=}
          case $sink_v in \"*\" | \'*\') sink_v=${sink_v#?}; sink_v=${sink_v%?} ;; esac
          case $sink_x in
            ID=*) sink_distro=$(printf '%s' "$sink_v" | command tr '[:upper:]' '[:lower:]') ;;
            VERSION_ID=*) sink_distro_version=$sink_v ;;
          esac
        done <"$sink_f"
        break
      done
    fi
  fi
  if [ -z "$sink_arch" ]; then
    case ${3-} in
      aarch64 | arm64e) sink_arch=arm64 ;; amd64 | x64) sink_arch=x86_64 ;; *) sink_arch=${3-} ;;
    esac
  fi
  sink_describe="${sink_distro:-$sink_os}${sink_distro_version:+ $sink_distro_version} ($sink_os${sink_arch:+, $sink_arch})"
}
sink_on() {  # NAME...: whether one names this machine's OS or distribution
  for sink_x; do [ "$sink_x" = "$sink_os" ] || [ "$sink_x" = "$sink_distro" ] && return 0; done
  return 1
}
sink_builtin() { sink_out=$2; sink_set "$1" 0; }
sink_f_os() { sink_builtin os "$sink_os"; }
sink_f_arch() { sink_builtin arch "$sink_arch"; }
sink_f_distro() { sink_builtin distro "$sink_distro"; }
sink_f_distro_version() {
  sink_version "$sink_distro_version" && sink_out=$sink_v && sink_set distro_version 0 && return
  sink_none distro_version ""
}
sink_f_hostname() { sink_builtin hostname "$sink_host"; }
sink_f_user() { sink_builtin user "${USER:-$(command id -un 2>/dev/null)}"; }
sink_f_home() { sink_builtin home "${HOME-}"; }
sink_f_cpus() {
  sink_out=$(command getconf _NPROCESSORS_ONLN 2>/dev/null) || sink_out=1
  case $sink_out in '' | *[!0-9]*) sink_out=1 ;; esac
  sink_set cpus 0
}

# ---- choosing steps -----------------------------------------------------------------

sink_matches() {  # NAME PATTERNS (one a line): whether a pattern (a name or a glob) matches
  IFS=$sink_nl
  set -f
  for sink_x in $2; do
    # shellcheck disable=SC2254
    case $1 in "$sink_x" | $sink_x) IFS=$sink_ifs; set +f; return 0 ;; esac
  done
  IFS=$sink_ifs
  set +f
  return 1
}
sink_selected() {  # whether step sink_name is chosen by --only, --skip and --from
  if [ -n "$sink_from" ] && [ -z "$sink_started" ]; then
    sink_matches "$sink_name" "$sink_from" || return 1
    sink_started=1
  fi
  [ -z "$sink_only" ] || sink_matches "$sink_name" "$sink_only" || return 1
  [ -z "$sink_skip" ] || ! sink_matches "$sink_name" "$sink_skip"
}
sink_check_choices() {  # PATTERNS (one a line): each of --from, --only and --skip names a step
  IFS=$sink_nl
  set -f
  for sink_p in $1; do
    sink_i=1
    while [ "$sink_i" -le "$sink_steps" ]; do
      "sink_step_$sink_i"
      sink_matches "$sink_name" "$sink_p" && break
      sink_i=$((sink_i + 1))
    done
    [ "$sink_i" -le "$sink_steps" ] || { sink_say "error: no step is named \`$sink_p\`"; exit 2; }
  done
  IFS=$sink_ifs
  set +f
}

# ---- deciding and running a step ---------------------------------------------------

# The reason of a condition: `SOURCE` (name = value, ...).
sink_explain() {
  sink_why="\`$sink_src\`"
  sink_vals='' sink_seen=''
  for sink_x in $sink_names; do
    case " $sink_seen " in *" $sink_x "*) continue ;; esac
    sink_seen="$sink_seen $sink_x"
    case $sink_x in
      env.*) eval "sink_v=\$SINKENV_${sink_x#env.}" ;;
      *) if eval "[ -n \"\${sink_h_$sink_x-}\" ]"; then eval "sink_v=\$sink_z_$sink_x"; else sink_v='(no value)'; fi ;;
    esac
    sink_vals="$sink_vals${sink_vals:+, }$sink_x = $sink_v"
  done
  [ -z "$sink_vals" ] || sink_why="$sink_why ($sink_vals)"
}
sink_blocked() { sink_verdict=blocked; sink_no_value "$1"; }

# A `skip if sh` or `when sh` check, where and how the step runs, its output unseen.
sink_run_check() {
  sink_src=$2
  "sink_dir_$sink_i"
  if [ ! -d "$sink_dir" ]; then
    sink_failure="could not run: folder $sink_dir does not exist"
    return 1
  fi
  (
    "sink_env_$sink_i"
    set -e
    "$1"
  ) </dev/null >/dev/null 2>&1
  sink_rc=$?
  sink_failure="failed (exit $sink_rc)"
  [ "$sink_rc" = 0 ] || return 1
}

# Decides step sink_i (already described by sink_step_N): sink_verdict run, done, n/a or
# blocked, and sink_why.
sink_decide() {
  sink_verdict=run sink_missing=''
  if [ -n "$sink_when" ]; then
    "sink_when_$sink_i"
    sink_g=$?
    if [ "$sink_g" = 2 ]; then sink_blocked "$sink_missing"; return; fi
    if [ "$sink_g" = 1 ]; then
      sink_verdict=n/a
      if [ "$sink_when" = sh ]; then sink_why="when sh \`$sink_src\` $sink_failure"; else sink_explain; sink_why="when $sink_why is false"; fi
      return
    fi
  fi
  sink_why=''  # after the `when`: an int compared with a text that is no number leaves why it is none
  if [ -n "$sink_skip_if" ]; then
    sink_missing=
    "sink_skip_$sink_i"
    sink_g=$?
    if [ "$sink_g" = 2 ]; then sink_blocked "$sink_missing"; return; fi
    if [ "$sink_g" = 0 ]; then
      sink_verdict='done'
      if [ "$sink_skip_if" = sh ]; then sink_why="skip if sh \`$sink_src\` succeeded"; else sink_explain; sink_why="skip if $sink_why is true"; fi
      return
    fi
    if [ "$sink_skip_if" = sh ]; then sink_why="check \`$sink_src\` $sink_failure"; else sink_explain; sink_why="skip if $sink_why is false"; fi
  fi
  for sink_x in $sink_uses; do
    eval "[ -n \"\${sink_h_$sink_x-}\" ]" || { sink_blocked "$sink_x"; return; }
  done
}

# Stops the running step and everything it started: TERM, then KILL after 3 seconds.
sink_tree() {
  command ps -A -o pid= -o ppid= 2>/dev/null | command awk -v root="$1" '
    { parent[$1] = $2 }
    END { n = 1; list[1] = root; out = root
          for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == list[i]) { list[++n] = p; out = out " " p }
          print out }'
}
sink_stop() {  # SIGNAL: the one that came
  sink_signal=$1
  [ -n "$sink_pid" ] || return 0
  sink_pids=$(sink_tree "$sink_pid")
  # shellcheck disable=SC2086
  {
    kill -STOP $sink_pids
    sink_pids="$sink_pids $(sink_tree "$sink_pid")"
    kill -STOP $sink_pids
    kill -TERM $sink_pids
    kill -CONT $sink_pids
  } 2>/dev/null
  sink_w=0
  while [ "$sink_w" -lt 30 ]; do
    # shellcheck disable=SC2086
    kill -0 $sink_pids 2>/dev/null || break
    command sleep 0.1 2>/dev/null || command sleep 1
    sink_w=$((sink_w + 1))
  done
  # shellcheck disable=SC2086
  kill -KILL $sink_pids 2>/dev/null
  wait "$sink_pid" 2>/dev/null
  sink_pid=
}

sink_run_step() {
  [ -z "$sink_seconds" ] || sink_begin=$SECONDS
  # The step ignores SIGINT, as a background job does under dash: a terminal's Ctrl-C
  # reaches the script, which stops the step's whole tree while it is still one tree.
  (
    trap '' INT
    "sink_env_$sink_i"
    set -e
    "sink_run_$sink_i"
  ) <&3 3<&- &
  sink_pid=$!
  [ -z "$sink_signal" ] || sink_stop "$sink_signal"  # the signal came while the step started
  wait "$sink_pid"
  sink_status=$?
  sink_pid=
  sink_secs=''
  [ -z "$sink_seconds" ] || sink_took "$sink_begin"
}

sink_step_failed() {  # SHOWN RECORDED: step sink_i failed, SHOWN on the terminal and RECORDED in the report
  sink_failed_n=$((sink_failed_n + 1))
  sink_paint '1;31' "  failed: $1"
  if [ -n "$sink_error" ]; then "sink_error_$sink_i"; sink_say "  error: $sink_out"; fi
  sink_say "  --> $sink_where"
  sink_record step "$sink_i" failed "$sink_name" "$2"
  sink_code=1
}

# ---- the run ------------------------------------------------------------------------

sink_main() {
  sink_ifs=$IFS  # the shell's own, back after each split on newlines (sink_matches runs inside one)
  sink_tab=$(printf '\t')
  sink_seconds=${SECONDS:+1}
  sink_mode=apply sink_report='' sink_o=1 sink_signal='' sink_pid='' sink_blockers='' sink_started=
  sink_init
  while [ $# -gt 0 ]; do
    case $1 in
      --plan) sink_mode=plan ;;
      --facts) sink_mode=facts ;;
      --report) sink_report=1 sink_o=2 ;;  # the records on standard output, the text on standard error
      --only | --skip | --from)
        if [ $# -lt 2 ] || [ -z "$2" ]; then sink_usage "$1 needs a step name or a glob"; fi
        case $1 in
          --only) sink_only="$sink_only${sink_only:+$sink_nl}$2" ;;
          --skip) sink_skip="$sink_skip${sink_skip:+$sink_nl}$2" ;;
          *) sink_from=$2 ;;
        esac
        shift ;;
      -h | --help)
        sink_say "Applies $sink_file as \`sink apply\` would. Options: --plan (show what would run), --facts" \
          "(show the facts), --report (records on standard output), --only NAME, --skip NAME, --from NAME." \
          "Answers come from SINK_ANSWER_<NAME> variables or the terminal."
        exit 0 ;;
      *) sink_usage "unknown option \`$1\`" ;;
    esac
    shift
  done
  sink_color=
  [ -t 2 ] && [ -z "${NO_COLOR-}" ] && [ "${TERM-}" != dumb ] && sink_color=1
  sink_tty=
  if [ -t 0 ]; then sink_tty=1; exec 3<&0; else exec 3</dev/null; fi
  sink_base=$(pwd)
  trap 'sink_stop 2' INT
  trap 'sink_stop 15' TERM
  trap 'sink_stop 1' HUP
  # Under `sink --host` (SINK_SESSION=1 on stdin ahead of the script) the end of the ssh
  # session is end-of-file on stdin: without a terminal sshd sends no SIGHUP, so a watcher
  # sends it, and the running step stops with the session.
  if [ -n "${SINK_SESSION-}" ]; then
    exec 4<&0
    (while IFS= read -r sink_x; do :; done; kill -HUP $$) <&4 >/dev/null 2>&1 &
    sink_watch=$!
    exec 4<&-
    trap 'kill "$sink_watch" 2>/dev/null' EXIT
  fi
  sink_machine
  sink_check_choices "$sink_from$sink_nl$sink_only$sink_nl$sink_skip"

  # Which steps this machine runs, and what they need.
  sink_i=1 sink_here=0 sink_other=0
  while [ "$sink_i" -le "$sink_steps" ]; do
    "sink_step_$sink_i"
    if ! sink_selected; then
      eval "sink_st_$sink_i=out"
    elif "sink_plat_$sink_i"; then
      eval "sink_st_$sink_i=on"
      sink_here=$((sink_here + 1))
      for sink_x in $sink_needs; do eval "sink_w_$sink_x=1"; done
    else
      eval "sink_st_$sink_i=other; sink_why_$sink_i=\$sink_why"
      sink_other=$((sink_other + 1))
    fi
    sink_i=$((sink_i + 1))
  done
  if [ "$sink_mode" = apply ]; then
    sink_x="$sink_here step"
    [ "$sink_here" = 1 ] || sink_x="${sink_x}s"
    [ "$sink_other" = 0 ] || sink_x="$sink_x ($sink_other on other platforms)"
    sink_say "sink: $sink_file on $sink_describe: $sink_x"
  fi
  for sink_x in $sink_order; do
    eval "[ -n \"\${sink_w_$sink_x-}\" ]" && sink_r "$sink_x"
    [ -z "$sink_signal" ] && continue
    sink_say "sink: interrupted while gathering facts; no step was run"
    sink_end $((128 + sink_signal))
  done
  case $sink_mode in
    facts) sink_facts ;;
    plan) sink_plan ;;
    *) sink_apply ;;
  esac
}

sink_end() {
  sink_record end "$1"
  exit "$1"
}

sink_stop_blockers() {  # MESSAGE: when something stops the run before any step
  [ -n "$sink_blockers" ] || return 0
  printf '%s' "$sink_blockers" >&2
  sink_say "sink: $1"
  sink_end 1
}

sink_facts() {
  printf '%s\n' "facts of $sink_file on $sink_describe:" >&"$sink_o"
  sink_n=0 sink_bad=0
  for sink_x in $sink_facts_list; do
    eval "[ -n \"\${sink_d_$sink_x-}\" ]" || continue
    sink_n=$((sink_n + 1))
    eval "sink_v=\${sink_z_$sink_x-} sink_y=\${sink_y_$sink_x-} sink_t=\$sink_type_$sink_x"
    if eval "[ -n \"\${sink_h_$sink_x-}\" ]"; then sink_h=1; else sink_h=; sink_v='(no value)'; fi
    if [ -n "$sink_y" ]; then
      sink_bad=$((sink_bad + 1))
      if [ -n "$sink_h" ]; then sink_y="  [default: $sink_y]"; else sink_y="  [failed: $sink_y]"; fi
    fi
    printf '  %-17s %-9s           %s%s\n' "$sink_x" "$sink_t" "$sink_v" "$sink_y" >&"$sink_o"
    sink_record fact "$sink_x" "$sink_v"
  done
  [ "$sink_n" = 0 ] && printf '%s\n' "  (none: no step on this platform needs a fact)" >&"$sink_o"
  if [ "$sink_bad" = 1 ]; then printf '%s\n' "1 fact failed or used a default" >&"$sink_o"
  elif [ "$sink_bad" -gt 1 ]; then printf '%s\n' "$sink_bad facts failed or used a default" >&"$sink_o"
  fi
  sink_end 0
}

# Decides every step before any runs, as sink does: --plan shows each; apply stops before the
# first step when one that will run needs a question that has no answer.
sink_decide_all() {
  sink_i=1 sink_run=0 sink_done=0 sink_na=0 sink_blocked_n=0
  while [ "$sink_i" -le "$sink_steps" ]; do
    eval "sink_st=\$sink_st_$sink_i"
    "sink_step_$sink_i"
    case $sink_st in
      out) sink_i=$((sink_i + 1)); continue ;;
      other) eval "sink_why=\$sink_why_$sink_i"; sink_label='other platform'; sink_verdict=other-platform ;;
      *)
        sink_decide
        [ -z "$sink_signal" ] || sink_end $((128 + sink_signal))
        case $sink_verdict in
          run) sink_label='will run'; sink_run=$((sink_run + 1)) ;;
          done) sink_label='already done'; sink_done=$((sink_done + 1)) ;;
          n/a) sink_label='not applicable'; sink_na=$((sink_na + 1)) ;;
          *) sink_label=blocked; sink_blocked_n=$((sink_blocked_n + 1)) ;;
        esac ;;
    esac
    if [ "$sink_mode" = plan ]; then
      printf '  %-16s%s%s\n' "$sink_label" "$sink_name" "${sink_why:+: $sink_why}" >&"$sink_o"
      sink_record step "$sink_i" "$sink_verdict" "$sink_name" "$sink_why"
    elif [ "$sink_verdict" = run ] || [ "$sink_verdict" = blocked ]; then
      for sink_x in $sink_needs; do
        eval "sink_v=\${sink_unanswered_$sink_x-}"
        [ -n "$sink_v" ] || continue
        eval "sink_unanswered_$sink_x="
        sink_blocker "error[E403]: question \`$sink_x\` has no answer: set $sink_v=VALUE in the environment, or run on a terminal"
      done
    fi
    sink_i=$((sink_i + 1))
  done
}

sink_plan() {
  printf '%s\n' "$sink_file on $sink_describe:" >&"$sink_o"
  sink_decide_all
  sink_x=$((sink_here + sink_other))
  if [ "$sink_x" = 1 ]; then sink_x="1 step"; else sink_x="$sink_x steps"; fi
  sink_x="$sink_x: $sink_run will run, $sink_done already done, $sink_na not applicable, $sink_other on another platform"
  [ "$sink_blocked_n" = 0 ] || sink_x="$sink_x, $sink_blocked_n blocked"
  printf '%s\n' "$sink_x" >&"$sink_o"
  sink_stop_blockers "apply would stop before the first step"
  if [ "$sink_blocked_n" != 0 ]; then
    sink_say "sink: apply would fail at a blocked step: it needs a value that is missing"
    sink_end 1
  fi
  sink_end 0
}

sink_apply() {
  # As sink apply: the steps are decided first (checks run), and only an unanswered
  # question that a step which will run needs stops the run.
  sink_decide_all
  sink_stop_blockers "stopped before the first step"
  sink_now
  sink_start=$sink_t
  sink_i=1 sink_n=0 sink_ran=0 sink_done=0 sink_na=0 sink_failed_n=0 sink_status=0 sink_code=0
  while [ "$sink_i" -le "$sink_steps" ]; do
    eval "sink_st=\$sink_st_$sink_i"
    "sink_step_$sink_i"
    case $sink_st in
      other) eval "sink_record step \"\$sink_i\" other-platform \"\$sink_name\" \"\$sink_why_$sink_i\"" ;;
      on) if [ "$sink_code" = 0 ]; then sink_apply_step; else sink_record step "$sink_i" not-run "$sink_name" ""; fi ;;
    esac
    sink_i=$((sink_i + 1))
  done
  sink_took "$sink_start"
  sink_x="sink: $sink_ran ran, $sink_done already done, $sink_na not applicable, $sink_other not on this platform, $sink_failed_n failed"
  [ "$sink_code" -gt 128 ] && sink_x="$sink_x, interrupted"
  sink_say "$sink_x ($sink_secs)"
  sink_end "$sink_code"
}
sink_apply_step() {  # runs step sink_i, chosen and on this platform, while no step has failed
  sink_n=$((sink_n + 1))
  sink_paint 1 "[$sink_n/$sink_here] $sink_name"
  sink_decide
  if [ -n "$sink_signal" ]; then
    sink_code=$((128 + sink_signal))
    sink_record step "$sink_i" not-run "$sink_name" "interrupted"
  elif [ "$sink_verdict" = 'done' ] || [ "$sink_verdict" = n/a ]; then
    if [ "$sink_verdict" = 'done' ]; then sink_done=$((sink_done + 1)); sink_x='already done'; else sink_na=$((sink_na + 1)); sink_x='not applicable'; fi
    sink_paint 2 "  $sink_x: $sink_why"
    sink_record step "$sink_i" "$sink_verdict" "$sink_name" "$sink_why"
  elif [ "$sink_verdict" = blocked ]; then
    sink_step_failed "$sink_why" "$sink_why"
  elif "sink_dir_$sink_i" && [ ! -d "$sink_dir" ]; then
    sink_x="could not start: folder $sink_dir does not exist"
    sink_step_failed "$sink_x after 0s" "$sink_x"
  else
    sink_run_step
    if [ -n "$sink_signal" ]; then
      sink_paint '1;31' "  interrupted${sink_secs:+ after $sink_secs}"
      sink_record step "$sink_i" failed "$sink_name" "interrupted"
      sink_code=$((128 + sink_signal))
    elif [ "$sink_status" = 0 ]; then
      sink_ran=$((sink_ran + 1))
      sink_paint 32 "  done${sink_secs:+ in $sink_secs}"
      sink_record step "$sink_i" ran "$sink_name" ""
    else
      if [ "$sink_status" -gt 128 ] && sink_x=$(kill -l "$((sink_status - 128))" 2>/dev/null); then
        sink_x="killed by signal $((sink_status - 128)) (SIG${sink_x#SIG})"
      else
        sink_x="exit status $sink_status"
      fi
      sink_step_failed "$sink_x${sink_secs:+ after $sink_secs}" "$sink_x"
    fi
  fi
}
sink_folder() {  # DIR: the step's folder, relative to the one the script started in
  case $1 in /*) sink_dir=$1 ;; *) sink_dir=$sink_base/$1 ;; esac
}
