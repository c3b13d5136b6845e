# fish completion for sink(1). Installed as share/fish/vendor_completions.d/sink.fish;
# or copy it to ~/.config/fish/completions/.
#
# Completes the commands, the flags of each command, the values of --color, --format
# and --platform, question names for --set and step names for --only, --skip and --from
# (from ./Sinkfile), the Host names of ~/.ssh/config for --host, and files for FILE,
# --facts, --vars and --hosts. The flags and values are those of src/cli/args.cpp.

set -l sink_commands check plan apply facts export fmt grammar help

# The platform names of src/syntax/lexicon.hpp; after NAME/, the architectures.
function __sink_platforms
    set -l token (commandline -ct)
    set -l value (string replace -r -- '^--platform=' '' $token)
    if string match -q -- '*/*' $value
        set -l name (string split -m 1 / -- $value)[1]
        printf '%s/%s\n' $name x86_64 $name arm64
        return
    end
    printf '%s\toperating system\n' linux darwin freebsd openbsd netbsd
    printf '%s\tLinux distribution\n' debian ubuntu fedora arch alpine centos rhel rocky almalinux amzn opensuse linuxmint pop manjaro nixos raspbian gentoo void kali
end

# NAME= for each question of ./Sinkfile.
function __sink_questions
    test -r Sinkfile; or return
    string replace -rf -- '^\s*ask\s+([A-Za-z_][A-Za-z0-9_]*).*' '$1=' <Sinkfile
end

# The step names of ./Sinkfile (written `step "NAME"` or `step 'NAME'`).
function __sink_steps
    test -r Sinkfile; or return
    string replace -rf -- '^\s*step\s+(?:"([^"]*)"|\'([^\']*)\').*' '$1$2' <Sinkfile
end

# The Host names of ~/.ssh/config, patterns aside.
function __sink_ssh_hosts
    test -r ~/.ssh/config; or return
    awk 'tolower($1) == "host" { for (i = 2; i <= NF; i++) if ($i !~ /[*?!]/) print $i }' ~/.ssh/config
end

# Whether the command is one of the arguments.
function __sink_command_is
    __fish_seen_subcommand_from $argv
end

complete -c sink -f

# Commands
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a check -d 'Parse and check a Sinkfile without running anything'
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a plan -d 'Show what apply would do, step by step, and why'
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a apply -d 'Run the Sinkfile: questions first, then the steps'
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a facts -d 'Show the facts FILE would gather, with their values'
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a export -d 'Write the Sinkfile as one POSIX sh script that applies it'
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a fmt -d 'Rewrite Sinkfiles in the canonical layout'
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a grammar -d 'Print an editor grammar (TextMate or Vim) for Sinkfiles'
complete -c sink -n "not __fish_seen_subcommand_from $sink_commands" -a help -d 'Show help for sink or one of its commands'
complete -c sink -n '__sink_command_is help' -a "$sink_commands"

# Global flags
complete -c sink -l color -x -a 'auto always never' -d 'Colour the output'
complete -c sink -s h -l help -d 'Show help for the command'
complete -c sink -s V -l version -d "Show sink's version"

# FILE
complete -c sink -n '__sink_command_is check plan apply facts export fmt' -F

# check, plan, apply, facts
complete -c sink -n '__sink_command_is check plan facts' -l format -x -a 'text json' -d 'Output format'
complete -c sink -n '__sink_command_is check' -l ci -d 'Also fail on questions that nothing answers without a terminal'
complete -c sink -n '__sink_command_is check plan apply facts export' -l set -x -a '(__sink_questions)' -d 'Answer question NAME (NAME=VALUE)'
complete -c sink -n '__sink_command_is check plan apply facts export' -l vars -r -k -a '(__fish_complete_suffix .toml)' -d 'Answer questions from a TOML file'
complete -c sink -n '__sink_command_is plan facts export' -l platform -x -a '(__sink_platforms)' -d 'Plan for another platform: NAME[/ARCH]'
complete -c sink -n '__sink_command_is plan facts' -l facts -r -k -a '(__fish_complete_suffix .toml)' -d 'Take fact values from a TOML file'
complete -c sink -n '__sink_command_is plan apply' -l only -x -a '(__sink_steps)' -d 'Run only STEP (a name or a glob)'
complete -c sink -n '__sink_command_is plan apply' -l skip -x -a '(__sink_steps)' -d 'Leave STEP out (a name or a glob)'
complete -c sink -n '__sink_command_is plan apply' -l from -x -a '(__sink_steps)' -d 'Start at STEP'
complete -c sink -n '__sink_command_is plan apply facts' -l host -x -a '(__sink_ssh_hosts)' -d 'Run on DEST over ssh'
complete -c sink -n '__sink_command_is plan apply facts' -l hosts -r -F -d 'Run on every destination listed in FILE'
complete -c sink -n '__sink_command_is plan apply facts' -l jobs -x -d 'With --host: how many hosts at a time'
complete -c sink -n '__sink_command_is plan' -l detailed-exitcode -d 'Exit 2 when steps would run, 0 when there is nothing to do'

# export
complete -c sink -n '__sink_command_is export' -l only -x -d 'Only the steps named NAME (or matching a glob)'
complete -c sink -n '__sink_command_is export' -l skip -x -d 'Leave out the steps named NAME (or matching a glob)'
complete -c sink -n '__sink_command_is export' -l from -x -d 'Start at the step named NAME'
complete -c sink -n '__sink_command_is export' -s o -l output -r -F -d 'Write the script to FILE'

# fmt
complete -c sink -n '__sink_command_is fmt' -l check -d 'Change nothing: name each file not formatted, exit 1 if any'
complete -c sink -n '__sink_command_is fmt' -a - -d 'Standard input to standard output'

# grammar
complete -c sink -n '__sink_command_is grammar' -l format -x -a 'textmate vim' -d 'Grammar format'
