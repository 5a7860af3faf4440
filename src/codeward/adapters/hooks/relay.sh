# shellcheck shell=bash
# codeward's agent hook as a shell relay: the client's payload to a running codeward service, the
# service's answer back, with no interpreter to start (bash, its /dev/tcp and builtins only).
#
#   bash relay.sh CLIENT --server http://HOST:PORT[/BASE] [--intent TEXT] [--env dev|staging|production]
#        [--confirm ask|deny] [--review ask|deny] [--deadline SECONDS] [--wait-review SECONDS]
#
# `codeward install CLIENT --server http://…` writes this command line. The payload goes to
# `POST {server}/v1/hooks/CLIENT` (the service's hook route), with the options as query parameters
# and CODEWARD_TOKEN as the bearer; the answer is the route's body (the client's own words), its exit
# status in `X-Codeward-Exit-Code` and a failure's reason in `X-Codeward-Problem`.
#
# Fail closed: a service that is down, slower than the deadline, or answers anything but a codeward
# hook answer gets a deny in the client's own dialect (the service's policy cannot be read from here,
# so nothing about it, not even `fail: open`, is assumed), the reason on stderr and in
# $CODEWARD_HOME/logs/hooks.log. The connection is made by one forked subshell (a process substitution)
# whose answer this shell reads with `read -t`, so the deadline bounds every step, connect included
# (bash's /dev/tcp has no connect timeout), at the cost of a fork and no exec; the service is given
# the deadline minus a margin, so that its own failure answer arrives first. If not
# even the answer can be written, or the client is unknown, the relay exits 2 with the reason on
# stderr: every client reads exit 2 as "block". Needs bash 4.4 or later (fractional `read -t`,
# `read -N`, `$!` of a process substitution); `codeward install` writes it only where that is the
# bash on PATH.

trap '' PIPE # a closed stdout is an error to report (exit 2), not a silent death
LC_ALL=C     # lengths in bytes, byte-wise URL encoding

MARGIN_US=500000
CHUNK=65536
MAX_ANSWER=1048576

# ------------------------------------------------------------------------------------------- answers
json_text() { # $1 as the inside of a JSON string
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//[[:cntrl:]]/ }
  printf '%s' "$s"
}

codeward_home() { # `codeward.home.home()`, restated
  local home=${CODEWARD_HOME:-~/.local/share/codeward}
  [[ $home == "~" || $home == "~/"* ]] && home=$HOME${home#"~"}
  printf '%s' "$home"
}

log_failure() {
  local home
  home=$(codeward_home)
  local at=${EPOCHREALTIME:-$(printf '%(%s)T' -1)}
  {
    [[ -d $home/logs ]] || mkdir -p "$home/logs"
    printf '{"at": %s, "client": "%s", "problem": "%s", "pid": %s}\n' \
      "${at/,/.}" "$client_name" "$(json_text "$1")" "$$" >>"$home/logs/hooks.log"
  } 2>/dev/null || printf 'codeward: cannot write the hook log\n' >&2
}

deny() { # $1: the problem. A deny in the client's dialect, exit 0; exit 2 if even that fails.
  [[ -n $worker ]] && kill "$worker" 2>/dev/null
  local problem="no decision from the codeward service: $1"
  local log
  log=$(codeward_home)/logs/hooks.log
  # the words of protocol.failure_verdict for an unknown policy (the service's cannot be read from here)
  local message="codeward could not judge this ($problem); the policy says \`fail: closed\`, so it does not proceed unchecked. Fix the cause (see $log) and retry, or run the command yourself after reading it."
  local m
  m=$(json_text "$message")
  log_failure "$problem"
  local answer
  case $client in
    claude-code | codex)
      answer="{\"hookSpecificOutput\": {\"hookEventName\": \"PreToolUse\", \"permissionDecision\": \"deny\", \"permissionDecisionReason\": \"$m\"}}" ;;
    cursor) answer="{\"permission\": \"deny\", \"user_message\": \"$m\", \"agent_message\": \"$m\"}" ;;
    gemini) answer="{\"decision\": \"deny\", \"reason\": \"$m\", \"systemMessage\": \"$m\"}" ;;
    copilot) answer="{\"permissionDecision\": \"deny\", \"permissionDecisionReason\": \"$m\"}" ;;
  esac
  if ! printf '%s\n' "$answer" 2>/dev/null; then
    printf 'codeward: %s\ncodeward: the answer could not be written; blocking\n' "$problem" >&2
    exit 2
  fi
  printf 'codeward: %s\n' "$problem" >&2
  exit 0
}

worker=
started_us=${EPOCHREALTIME/./} # bash 5; without it (4.4) each wait gets the whole deadline

left() { # the seconds left before the deadline, into $seconds_left
  local left_us=$deadline_us
  if [[ -n $started_us && -n ${EPOCHREALTIME:-} ]]; then
    left_us=$((deadline_us - (${EPOCHREALTIME/./} - started_us)))
  fi
  ((left_us > 0)) || deny "$1"
  printf -v seconds_left '%d.%06d' $((left_us / 1000000)) $((left_us % 1000000))
}

# ------------------------------------------------------------------------------------------- options
client=$1
case $client in # the names the hook log uses (each dialect's `name`)
  claude-code) client_name="Claude Code" ;;
  codex) client_name=Codex ;;
  cursor) client_name=Cursor ;;
  gemini) client_name="Gemini CLI" ;;
  copilot) client_name="GitHub Copilot" ;;
  *)
    printf 'codeward hook: unknown client %q (one of claude-code, codex, cursor, gemini, copilot); blocking\n' "$client" >&2
    exit 2
    ;;
esac
shift
((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))) ||
  deny "bash $BASH_VERSION is too old for the shell relay (it needs 4.4 or later)"

server= intent=${CODEWARD_INTENT:-} env= confirm= review= wait_review=
deadline=${CODEWARD_HOOK_DEADLINE:-10}
while (($#)); do
  flag=${1%%=*}
  if [[ $1 == *=* ]]; then
    value=${1#*=}
    shift
  elif (($# >= 2)); then
    value=$2
    shift 2
  else
    deny "the option $1 has no value"
  fi
  case $flag in
    --server) server=$value ;;
    --intent) intent=$value ;;
    --env) env=$value ;;
    --confirm) confirm=$value ;;
    --review) review=$value ;;
    --deadline) deadline=$value ;;
    --wait-review) wait_review=$value ;;
    --policy) ;; # the service's policy decides; accepted for the same command line as `codeward hook`
    *) deny "the hook's command line has an unknown option '$flag'" ;;
  esac
done

seconds_re='^[0-9]+(\.[0-9]+)?$'
[[ $deadline =~ $seconds_re ]] || deny "--deadline must be a number of seconds, not '$deadline'"
[[ -z $wait_review || $wait_review =~ $seconds_re ]] || deny "--wait-review must be a number of seconds, not '$wait_review'"
[[ -z $env || $env == dev || $env == staging || $env == production ]] || deny "--env must be dev, staging or production"
[[ -z $confirm || $confirm == ask || $confirm == deny ]] || deny "--confirm must be ask or deny"
[[ -z $review || $review == ask || $review == deny ]] || deny "--review must be ask or deny"

# microseconds, in integers: the service gets the deadline minus a margin (a fifth, at most 0.5 s)
whole=${deadline%%.*} fraction=${deadline#"$whole"}
fraction=${fraction#.}000000
deadline_us=$((10#$whole * 1000000 + 10#${fraction:0:6}))
margin_us=$((deadline_us / 5 < MARGIN_US ? deadline_us / 5 : MARGIN_US))
service_us=$((deadline_us - margin_us))
((service_us > 0)) || deny "the deadline (${deadline}s) leaves the service no time"
printf -v service_deadline '%d.%06d' $((service_us / 1000000)) $((service_us % 1000000))

# ------------------------------------------------------------------------------------------- server
[[ -n $server ]] || deny "no --server URL was given"
[[ $server == http://* ]] || deny "the shell relay speaks plain http:// only, not '$server' (install the hook without --server, or use the \`codeward hook\` command for https)"
authority=${server#http://}
base=
if [[ $authority == */* ]]; then
  base=/${authority#*/}
  authority=${authority%%/*}
fi
base=${base%/}
[[ $authority != *@* ]] || deny "credentials in the server URL are not sent; use CODEWARD_TOKEN"
if [[ $authority == \[* ]]; then
  host=${authority#\[}
  host=${host%%]*}
  port=${authority#*]}
  port=${port#:}
else
  host=${authority%%:*}
  port=${authority#"$host"}
  port=${port#:}
fi
port=${port:-80}
[[ -n $host && $port =~ ^[0-9]+$ && $host =~ ^[A-Za-z0-9.:_-]+$ ]] || deny "the server URL '$server' is not http://HOST[:PORT][/PATH]"

token=${CODEWARD_TOKEN:-}
token=${token#"${token%%[![:space:]]*}"}
token=${token%"${token##*[![:space:]]}"}
[[ $token != *[[:cntrl:]]* ]] || deny "CODEWARD_TOKEN holds control characters"
[[ $base != *[[:cntrl:][:space:]]* ]] || deny "the server URL's path holds spaces or control characters"

quote() { # percent-encode $1 into $quoted
  local s=$1 c h i
  quoted=
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    if [[ $c == [A-Za-z0-9._~-] ]]; then
      quoted+=$c
    else
      printf -v h '%%%02X' "'$c"
      quoted+=$h
    fi
  done
}

query="deadline=$service_deadline"
if [[ -n $intent ]]; then
  quote "$intent"
  query+="&intent=$quoted"
fi
[[ -n $env ]] && query+="&env=$env"
[[ -n $confirm ]] && query+="&confirm=$confirm"
[[ -n $review ]] && query+="&review=$review"
[[ -n $wait_review ]] && query+="&wait_review=$wait_review"

# ------------------------------------------------------------------------------------------- the call
payload= chunk= # read in chunks (-N), not byte by byte; bounded by the deadline like the rest
while :; do
  left "the hook's input did not end within the hook's deadline"
  IFS= read -r -t "$seconds_left" -N "$CHUNK" chunk
  got=$?
  ((got == 0)) || break
  payload+=$chunk
done
((got > 128)) && deny "the hook's input did not end within the hook's deadline"
payload+=$chunk

request="POST $base/v1/hooks/$client?$query HTTP/1.1"$'\r\n'"Host: $authority"$'\r\n'
request+="Content-Type: application/json"$'\r\n'"Content-Length: ${#payload}"$'\r\n'"Connection: close"$'\r\n'
[[ -n $token ]] && request+="Authorization: Bearer $token"$'\r\n'

left "the service at $server gave no answer within the hook's deadline"
exec {answer}< <(
  exec </dev/null 2>/dev/null
  exec 3<>"/dev/tcp/$host/$port" || {
    printf '!unreachable'
    exit
  }
  printf '%s\r\n%s' "$request" "$payload" >&3 || {
    printf '!unsent'
    exit
  }
  # the whole response up to the end of the stream (Connection: close)
  IFS= read -r -t "$seconds_left" -N "$MAX_ANSWER" -u 3 reply
  printf '%s' "$reply"
)
worker=$!
IFS= read -r -t "$seconds_left" -N "$MAX_ANSWER" -u "$answer" response
(($? > 128)) && deny "the service at $server gave no answer within the hook's deadline"
worker=
[[ $response != '!unreachable' ]] || deny "the service at $server is unreachable"
[[ $response != '!unsent' ]] || deny "the request to $server could not be sent"
((${#response} < MAX_ANSWER)) || deny "the answer from $server is larger than any hook answer"
[[ $response == *$'\r\n\r\n'* ]] || deny "the answer from $server is not a complete HTTP response"
head=${response%%$'\r\n\r\n'*}
body=${response#*$'\r\n\r\n'}
status=${head%%$'\r\n'*}
[[ $status =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]] || deny "the answer from $server is not HTTP"
code=${BASH_REMATCH[1]}
length= exit_code= silent= problem= chunked=
rest=${head#"$status"}
while [[ -n $rest ]]; do
  rest=${rest#$'\r\n'}
  line=${rest%%$'\r\n'*}
  rest=${rest#"$line"}
  name=${line%%:*}
  value=${line#*:}
  value=${value#"${value%%[![:space:]]*}"}
  case ${name,,} in
    content-length) length=$value ;;
    x-codeward-exit-code) exit_code=$value ;;
    x-codeward-silent) silent=$value ;;
    x-codeward-problem) problem=$value ;;
    transfer-encoding) chunked=$value ;;
  esac
done
[[ $code == 200 ]] || deny "the service answered HTTP $code${problem:+: $problem}"
[[ -z $chunked ]] || deny "the answer from $server is chunked, which a hook answer never is"
[[ $exit_code == 0 || $exit_code == 2 ]] || deny "the answer from $server is not a codeward hook answer (no X-Codeward-Exit-Code)"
[[ $length =~ ^[0-9]+$ ]] && ((${#body} == length)) || deny "the answer from $server was cut short or has no Content-Length"
if [[ $silent != 1 && ($body != \{* || $body != *\}) ]]; then
  deny "the answer from $server is not a JSON object"
fi

# ------------------------------------------------------------------------------------------- the answer
if [[ $silent != 1 ]] && ! printf '%s\n' "$body" 2>/dev/null; then
  printf '%s\ncodeward: the answer could not be written; blocking\n' "$problem" >&2
  exit 2
fi
if [[ $exit_code == 2 && -z $problem ]]; then
  problem="codeward: the service says this call is blocked" # Codex reads exit 2 as a block only with a reason
fi
[[ -n $problem ]] && printf '%s\n' "$problem" >&2
exit "$exit_code"
