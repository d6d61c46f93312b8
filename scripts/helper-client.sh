# The launcher's side of the resident helper (a JVM kept up between commands: startup.ResidentHelper; the
# protocol is written on startup.HelperRequest). Only bash builtins, one mkfifo and, for output to a file or
# socket, one cat per stream on the way of a served command, because every program started here costs the time
# the helper saves.

# Whether a command may go to the helper (JAR ARGS...): those that the helper's command table
# (startup.CommandTable) marks. Every helper writes their names to BASE/served for the jar it runs; until a helper
# of this jar has, any command word may go, and the helper refuses the ones it does not serve. Sets helper_base.
jkraft_helper_suits() {
  local jar="$1" served
  shift
  [ "${JKRAFT_HELPER:-on}" != off ] || return 1
  case "${1:-}" in "" | -*) return 1 ;; esac
  jkraft_helper_base
  if [ -O "$helper_base" ] && [ -f "$helper_base/served" ] && [ ! "$jar" -nt "$helper_base/served" ] \
    && read -r served <"$helper_base/served"; then
    [[ " $served " == *" $1 "* ]]
    return
  fi
  return 0
}

# Sets helper_base, the folder of this user's helpers (the helper checks that it is theirs, mode 0700).
jkraft_helper_base() {
  if [ -n "${XDG_RUNTIME_DIR:-}" ]; then
    helper_base="$XDG_RUNTIME_DIR/jkraft"
  else
    helper_base="/tmp/jkraft-$UID"
  fi
}

# jkraft_helper_run BASE JAR ARGS...: exits with the command's status when the helper ran it, or with
# 128 + the signal when the user interrupted it before it ran. Otherwise returns 97 (this command is not for
# the helper), 98 (the helper serves another umask, JVM-level environment or jar: start a new one) or 99 (no
# helper answered; the command did not run).
#
# The command runs in this launcher's working folder with its environment, and writes to its stdout and stderr:
# the helper opens a terminal, another character device (/dev/null) or a pipe again through /proc, which gives
# it the same terminal, or the same pipe with the same end when its reader goes (| head); a file or a socket
# (whose write position, O_APPEND or connection cannot be had anew) is a FIFO that a cat started here copies
# to the descriptor. The launcher exits once the copies have written everything.
#
# Every wait has a way out. The helper has jkraft_helper_take_wait seconds (default 5) to take the request,
# else it is cancelled and the launcher runs the command itself; once taken, the helper's answer (it only
# reads a few /proc files first) has jkraft_helper_answer_wait more (default 30), else the launcher gives
# up on that helper with status 3 (it cannot run a command that may have started). Neither trips on a
# working helper, however loaded the machine; tests shorten them. The command itself may run as long as it
# runs (a foreground machine, logs -f): the wait ends with its status, with the helper's end, or on a second
# signal (the first is forwarded to the command).
jkraft_helper_run() {
  local base="$1" jar="$2" d pid id line out=f err=f sig="" signals=0 claimed="" waited=0 copiers="" fifos
  local take="${jkraft_helper_take_wait:-5}" patience="${jkraft_helper_answer_wait:-30}"
  shift 2
  # Only a folder of this user's: another's could read the arguments and answer for the helper.
  [ -O "$base" ] && [ -f "$base/current/pid" ] || return 99
  [ "$jar" -nt "$base/current/pid" ] && return 98
  read -r pid <"$base/current/pid" 2>/dev/null || return 99
  # The folder is named by the pid: `current` may be replaced meanwhile, the folder stays.
  d="$base/helper-$pid"
  [ -p "$d/requests" ] && kill -0 "$pid" 2>/dev/null || return 99
  id="$$-$RANDOM"
  # How each output is reached (startup.LauncherOutput): t a terminal, d another character device, p a pipe,
  # f a FIFO copied here, o (stderr) through stdout's FIFO when both are the same file (2>&1), to keep their order.
  if [ -t 1 ]; then out=t; elif [ -c /proc/self/fd/1 ]; then out=d; elif [ -p /proc/self/fd/1 ]; then out=p; fi
  if [ -t 2 ]; then
    err=t
  elif [ -c /proc/self/fd/2 ]; then
    err=d
  elif [ -p /proc/self/fd/2 ]; then
    err=p
  elif [ "$out" = f ] && [ /proc/self/fd/2 -ef /proc/self/fd/1 ]; then
    err=o
  fi
  fifos=("$d/$id.status" "$d/$id.control")
  [ "$out" != f ] || fifos+=("$d/$id.out")
  [ "$err" != f ] || fifos+=("$d/$id.err")
  mkfifo -m 600 "${fifos[@]}" 2>/dev/null || return 99
  # The helper writes to copies of stdout and stderr (6, 7): bash points 1 and 2 elsewhere for a moment
  # whenever a builtin's output is redirected, as for the request line below, and the helper may open
  # them at any moment after that line. Opened for reading and writing, so that no open waits for the helper.
  exec 3<>"$d/$id.status" 4<>"$d/$id.control" 6>&1 7>&2
  # Each copy gets its FIFO open already (a read end opened here, which a writer held here lets through at
  # once); the writer stays until the helper has opened its own, so the copy reads no end-of-file before. The
  # copy holds none of the other FIFOs: the helper sees this launcher's end as the control FIFO's.
  if [ "$out" = f ]; then
    exec 8<>"$d/$id.out" 5<"$d/$id.out"
    cat <&5 >&6 2>/dev/null 3>&- 4>&- 5<&- 6>&- 7>&- 8>&- 9>&- &
    copiers="$!"
    exec 5<&-
  fi
  if [ "$err" = f ]; then
    exec 9<>"$d/$id.err" 5<"$d/$id.err"
    cat <&5 >&7 2>/dev/null 3>&- 4>&- 5<&- 6>&- 7>&- 8>&- 9>&- &
    copiers="$copiers $!"
    exec 5<&-
  fi
  # From here a signal is forwarded; one that comes before the helper claims the request cancels it.
  trap 'jkraft_helper_signal 2 INT' INT
  trap 'jkraft_helper_signal 15 TERM' TERM
  trap 'jkraft_helper_signal 1 HUP' HUP
  if ! { printf '%s\0' "$@" >"$d/$id.args" && printf '%s %s %s %s\n' "$id" "$BASHPID" "$out" "$err" 2>/dev/null 1<>"$d/requests"; }; then
    jkraft_helper_abandon "$d" "$id" "$sig"
    return 99
  fi
  if read -r -t "$take" -u 3 line; then
    jkraft_helper_claimed
  else
    # No answer in time, or a signal: cancel, unless the helper claimed it meanwhile (one rename wins).
    if mv "$d/$id.args" "$d/$id.cancelled" 2>/dev/null; then
      if [ -z "$sig" ]; then
        echo "jkraft: the resident helper (pid $pid) did not take the command within $take s; running it without the helper" >&2
      fi
      jkraft_helper_abandon "$d" "$id" "$sig"
      return 99
    fi
    jkraft_helper_claimed
    until read -r -t 1 -u 3 line; do
      # A helper removes its folder only with no command claimed, so then this one never ran.
      if ! kill -0 "$pid" 2>/dev/null || [ ! -d "$d" ]; then
        jkraft_helper_abandon "$d" "" "$sig"
        return 99
      fi
      waited=$((waited + 1))
      if [ "$waited" -ge "$patience" ]; then
        echo "jkraft: the resident helper (pid $pid) took the command but did not answer within $((take + waited)) s; giving up on that helper (the next command starts a new one)" >&2
        jkraft_helper_retire "$base" "$pid"
        jkraft_helper_end_copies
        exit 3
      fi
    done
  fi
  case "$line" in
    accepted) ;;
    "refused restart"*) jkraft_helper_abandon "$d" "" "$sig"; return 98 ;;
    *) jkraft_helper_abandon "$d" "" "$sig"; return 97 ;;
  esac
  # The helper holds its ends of the copied FIFOs now: the copies end when it closes them.
  exec 8>&- 9>&-
  while :; do
    if read -r -t 1 -u 3 line; then
      case "$line" in "exit "*) jkraft_helper_exit "${line#exit }" ;; esac
    elif ! kill -0 "$pid" 2>/dev/null; then
      if read -r -t 0.1 -u 3 line && [[ $line == "exit "* ]]; then
        jkraft_helper_exit "${line#exit }"
      fi
      echo "jkraft: the resident helper (pid $pid) ended while running the command" >&2
      jkraft_helper_exit 3
    fi
  done
}

# Exits with STATUS once the copies have written all the command wrote: the helper closed its ends before it
# answered, and a copy of a pipe whose reader went away has ended already.
jkraft_helper_exit() { # STATUS
  local p
  for p in $copiers; do
    # A signal ends a wait early (status 128 + N) and the copy goes on: wait again; 127 once it is reaped.
    while wait "$p"; [ $? -gt 128 ]; do :; done
  done
  exit "$1"
}

# Ends the copies without waiting for what they have not written yet (the launcher is leaving).
jkraft_helper_end_copies() {
  if [ -n "$copiers" ]; then
    # shellcheck disable=SC2086 # one word per pid
    kill $copiers 2>/dev/null || true
  fi
}

# The launcher's trap for signal NUMBER (NAME): the first is forwarded to the helper, which runs the
# command's interrupt actions and answers 128 + NUMBER. A second one, once the helper has taken the command,
# stops waiting for that answer: the command ends anyway, as it finds this launcher gone. (Before the take,
# the first signal cancels the request, and nothing runs.)
jkraft_helper_signal() { # NUMBER NAME
  signals=$((signals + 1))
  if [ "$signals" = 1 ]; then
    sig=$1
    echo "$2" >&4
  elif [ -n "$claimed" ]; then
    jkraft_helper_leave
  fi
}

# Notes that the helper took the command; a second signal that came meanwhile takes effect now.
jkraft_helper_claimed() {
  claimed=1
  if [ "$signals" -ge 2 ]; then
    jkraft_helper_leave
  fi
}

jkraft_helper_leave() {
  echo "jkraft: the resident helper (pid $pid) has not ended the command since the first signal; not waiting for it" >&2
  jkraft_helper_end_copies
  exit $((128 + sig))
}

# Sends no more commands to the helper PID in BASE: the next launcher starts a new one, which takes its place.
jkraft_helper_retire() { # BASE PID
  local current
  if read -r current <"$1/current/pid" 2>/dev/null && [ "$current" = "$2" ]; then
    rm -f "$1/current"
  fi
}

# Lets go of a request the helper did not run (FOLDER, ID to remove its files, or empty, SIGNAL): a
# signal received meanwhile ends the launcher as it would have ended the command.
jkraft_helper_abandon() {
  # Closing the writers held here ends the copies: they read end-of-file, having copied nothing.
  exec 3>&- 4>&- 6>&- 7>&- 8>&- 9>&-
  trap - INT TERM HUP
  if [ -n "$2" ]; then
    rm -f "$1/$2".*
  fi
  if [ -n "$3" ]; then
    exit $((128 + $3))
  fi
}

# Starts a helper in the background for the next commands, unless one is starting already. It waits a
# moment first so as not to compete with this command's own JVM, and runs in a session of its own so
# that Ctrl-C and a closed terminal leave it alone.
jkraft_helper_start() { # BASE JAR JAVA
  local pid
  # A folder of someone else's is refused by the helper; do not start one that would only end.
  if [ -e "$1" ] && [ ! -O "$1" ]; then
    return 0
  fi
  if [ -f "$1/starting" ] && read -r pid <"$1/starting" 2>/dev/null && kill -0 "$pid" 2>/dev/null; then
    return 0
  fi
  (
    trap '' INT HUP
    sleep 0.5
    exec setsid "$3" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx512m -XX:-UsePerfData -jar "$2" __serve "$1"
  ) </dev/null >/dev/null 2>&1 &
}
