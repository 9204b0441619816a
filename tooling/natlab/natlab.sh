#!/usr/bin/env bash
# natlab.sh: a NAT lab in Linux network namespaces (see README.md and the recipe in natlab.md).
#
#   natlab.sh up [A B] [--shared] [--hairpin]   build the lab (natA=A, natB=B; default eim eim)
#   natlab.sh set <natA|natB> <mode>            change one router's NAT mode live (and flush its conntrack)
#   natlab.sh status                            exit 0 up, 1 partial/interrupted, 3 down
#   natlab.sh down                              kill processes inside the lab, delete everything
#   natlab.sh exec <ns> <cmd…>                  run a command inside a lab namespace
#
# Modes: eim fullcone sym none open udpblock. Knobs (environment): NATLAB_PREFIX (in front of every
# namespace name), NATLAB_HAIRPIN=1, NATLAB_LOSS=N (% random drop in inet: bridged and routed packets),
# NATLAB_UDP_TIMEOUT=S (conntrack UDP timeouts in the routers), NATLAB_WAN_INPUT=accept (routers without
# an input firewall), NATLAB_FORCE=1 (take over same-named namespaces natlab did not create).
#
#  hostA 10.0.1.2 --[lan 10.0.1.1 natA wan 198.18.0.2]--+
#  hostB 10.0.2.2 --[lan 10.0.2.1 natB wan 198.18.0.3]--+-- inet: bridge br0 198.18.0.1/24, no default route
#                                server 198.18.0.10/.11 --+
#  (--shared: no natB; hostB is 10.0.1.3 on natA's LAN)
set -Eeuo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
P="${NATLAB_PREFIX:-}"
MARK="# natlab-owned"
MODES="eim fullcone sym none open udpblock"
ALL_ROLES="inet server natA hostA natB hostB"

die() { echo "natlab: $*" >&2; exit 2; }
log() { [ -n "${NATLAB_QUIET:-}" ] || echo "natlab: $*" >&2; }

[[ "$P" =~ ^[A-Za-z0-9_.-]{0,40}$ ]] || die "NATLAB_PREFIX may hold only letters, digits, _ . - (max 40)"

ns() { echo "${P}$1"; }
ns_exists() { [ -e "/run/netns/$(ns "$1")" ]; }
marker_file() { echo "/etc/netns/$(ns "$1")/hosts"; }
# Ours when the first line of /etc/netns/<ns>/hosts is our marker.
owned() { local f; f="$(marker_file "$1")"; [ -f "$f" ] && head -n1 "$f" | grep -q "^$MARK"; }
# A key=value from a role's marker line.
mget() {
  local f; f="$(marker_file "$1")"
  [ -f "$f" ] || return 0
  head -n1 "$f" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# Rewrites a role's marker line with key=value set, in place: `ip netns exec` bind-mounts every file of
# /etc/netns/<ns>/ over /etc, so not even a temporary file may appear there.
mset() {
  local f line rest; f="$(marker_file "$1")"
  line="$(head -n1 "$f" | tr ' ' '\n' | grep -v "^$2=" | tr '\n' ' ' | sed 's/ *$//')"
  rest="$(tail -n +2 "$f")"
  printf '%s\n%s\n' "$line $2=$3" "$rest" >"$f"
}
in_ns() { local n="$1"; shift; ip netns exec "$(ns "$n")" "$@"; }
valid_mode() { [[ " $MODES " == *" $1 "* ]] || die "unknown mode '$1' (one of: $MODES)"; }

lock() {
  exec 9<"$SELF"
  flock -w 120 9 || die "another natlab.sh is still running (waited 120 s for the lock)"
}

# --- namespaces ---------------------------------------------------------------------------------

# Writes /etc/netns/<ns>/{hosts,resolv.conf} (marker first, so that a kill right after `ip netns add`
# leaves a namespace we can still recognise), then creates the namespace.
ns_create() {
  local role="$1" name; name="$(ns "$1")"
  if [ -e "/run/netns/$name" ] && ! owned "$role" && [ "${NATLAB_FORCE:-}" != 1 ]; then
    die "namespace $name exists and was not created by natlab (NATLAB_FORCE=1 takes it over)"
  fi
  mkdir -p "/etc/netns/$name"
  cat >"/etc/netns/$name/hosts" <<EOF
$MARK prefix=${P:-none} role=$role$([ "$role" = inet ] && echo ' state=building')
127.0.0.1 localhost
198.18.0.10 server.lab relay.lab stun.lab
198.18.0.11 server2.lab
EOF
  echo "nameserver 198.18.0.10" >"/etc/netns/$name/resolv.conf"
  [ -e "/run/netns/$name" ] || ip netns add "$name"
  # No IPv6, no ICMP redirects, no reverse-path filter, loopback up.
  in_ns "$role" sh -c '
    for f in all default; do
      echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6
      echo 0 >/proc/sys/net/ipv4/conf/$f/send_redirects
      echo 0 >/proc/sys/net/ipv4/conf/$f/accept_redirects
      echo 0 >/proc/sys/net/ipv4/conf/$f/rp_filter
    done
    # Bridges switch frames without netfilter (br_netfilter would run bridged frames through the
    # ip tables and drop LAN-to-LAN traffic in a router'"'"'s forward chain).
    for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables \
      /proc/sys/net/bridge/bridge-nf-call-arptables; do
      if [ -e "$f" ]; then echo 0 >"$f"; fi
    done
    ip link set lo up'
}

# Kills every process inside the given roles' namespaces: TERM, up to 1 s, then KILL.
kill_inside() {
  local pids="" r
  for r in "$@"; do
    if ns_exists "$r"; then pids="$pids $(ip netns pids "$(ns "$r")" 2>/dev/null | tr '\n' ' ')"; fi
  done
  pids="$(echo "$pids" | tr ' ' '\n' | grep -v "^$$\$" | grep . || true)"
  [ -n "$pids" ] || return 0
  log "stopping $(echo "$pids" | wc -l) process(es) inside the lab"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  local i alive
  for i in 1 2 3 4 5 6 7 8 9 10; do
    alive=""
    for p in $pids; do
      if kill -0 "$p" 2>/dev/null; then alive="$alive $p"; fi
    done
    [ -n "$alive" ] || return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $alive 2>/dev/null || true
}

# Deletes our namespaces and their /etc/netns dirs; skips same-named namespaces that are not ours.
teardown() {
  local r name roles=""
  for r in $ALL_ROLES; do
    if ns_exists "$r" && ! owned "$r" && [ "${NATLAB_FORCE:-}" != 1 ]; then
      log "skipping $(ns "$r"): not created by natlab"
      continue
    fi
    roles="$roles $r"
  done
  # shellcheck disable=SC2086
  kill_inside $roles
  for r in $roles; do
    name="$(ns "$r")"
    [ -e "/run/netns/$name" ] && ip netns del "$name" 2>/dev/null || true
    rm -rf "/etc/netns/$name"
  done
  rmdir /etc/netns 2>/dev/null || true
}

# --- routers ------------------------------------------------------------------------------------

# The nft ruleset of router natA/natB for a mode (a full replacement of `table ip natlab`).
router_rules() {
  local role="$1" mode="$2" hairpin="$3" x wan lan dmz input_policy="drop" fwd_policy="drop"
  x="${role#nat}"; [ "$x" = A ] && x=1 || x=2
  wan="198.18.0.$((x + 1))"; lan="10.0.$x.0/24"; dmz="10.0.$x.2"
  [ "${NATLAB_WAN_INPUT:-drop}" = accept ] && input_policy="accept"
  [ "$mode" = open ] && fwd_policy="accept"
  echo "table ip natlab"
  echo "delete table ip natlab"
  echo "table ip natlab {"
  if [ "$hairpin" = 1 ]; then
    echo "  map hp { type inet_service : ipv4_addr . inet_service; flags dynamic, timeout; timeout 10m; }"
    # After SNAT: public port -> LAN ip.port of each outgoing UDP mapping.
    echo "  chain hp_learn { type filter hook postrouting priority 200; policy accept;"
    echo "    oifname \"wan\" meta l4proto udp update @hp { ct reply proto-dst : ct original ip saddr . ct original proto-src }"
    echo "  }"
  fi
  echo "  chain input { type filter hook input priority 0; policy $input_policy;"
  echo "    iifname \"lo\" accept"
  echo "    iifname \"lan\" accept"
  echo "    ct state established,related accept"
  echo "    icmp type echo-request accept"
  echo "  }"
  echo "  chain forward { type filter hook forward priority 0; policy $fwd_policy;"
  [ "$mode" = udpblock ] && echo "    iifname \"lan\" meta l4proto udp drop"
  echo "    ct state established,related accept"
  echo "    iifname \"lan\" oifname \"wan\" accept"
  [ "$mode" = fullcone ] && echo "    iifname \"wan\" ct status dnat accept"
  [ "$hairpin" = 1 ] && echo "    iifname \"lan\" oifname \"lan\" ct status dnat accept"
  echo "  }"
  echo "  chain prerouting { type nat hook prerouting priority -100; policy accept;"
  [ "$mode" = fullcone ] && echo "    iifname \"wan\" ip daddr $wan udp dport 1024-65535 dnat ip to $dmz"
  [ "$hairpin" = 1 ] && echo "    iifname \"lan\" ip daddr $wan meta l4proto udp dnat ip to udp dport map @hp"
  echo "  }"
  echo "  chain postrouting { type nat hook postrouting priority 100; policy accept;"
  case "$mode" in
    eim | fullcone | udpblock) echo "    oifname \"wan\" masquerade" ;;
    sym) echo "    oifname \"wan\" masquerade fully-random" ;;
  esac
  if [ "$hairpin" = 1 ]; then
    local random=""; [ "$mode" = sym ] && random=" fully-random"
    echo "    ip saddr $lan ip daddr $lan oifname \"lan\" ct status dnat snat ip to $wan$random"
  fi
  echo "  }"
  echo "}"
}

# Loads a router's mode: nft table, conntrack flush, and the inet route to its LAN for none/open.
apply_mode() {
  local role="$1" mode="$2" hairpin x
  hairpin="$(mget inet hairpin)"
  x="${role#nat}"; [ "$x" = A ] && x=1 || x=2
  router_rules "$role" "$mode" "${hairpin:-0}" | in_ns "$role" nft -f -
  if [ -n "${NATLAB_UDP_TIMEOUT:-}" ]; then
    [[ "$NATLAB_UDP_TIMEOUT" =~ ^[0-9]+$ ]] || die "NATLAB_UDP_TIMEOUT must be seconds"
    in_ns "$role" sh -c "echo $NATLAB_UDP_TIMEOUT >/proc/sys/net/netfilter/nf_conntrack_udp_timeout
      echo $NATLAB_UDP_TIMEOUT >/proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream"
  fi
  in_ns "$role" conntrack -F >/dev/null 2>&1 || true
  case "$mode" in
    none | open) ip -n "$(ns inet)" route replace "10.0.$x.0/24" via "198.18.0.$((x + 1))" ;;
    *) ip -n "$(ns inet)" route del "10.0.$x.0/24" 2>/dev/null || true ;;
  esac
  mset "$role" mode "$mode"
}

# A router namespace with its WAN veth on the inet bridge and a LAN bridge.
make_router() {
  local role="$1" x="$2" port="$3"
  ns_create "$role"
  ip -n "$(ns inet)" link add name "$port" type veth peer name wan netns "$(ns "$role")"
  ip -n "$(ns inet)" link set "$port" master br0 up
  ip -n "$(ns "$role")" link add name lan type bridge
  ip -n "$(ns "$role")" addr add "198.18.0.$((x + 1))/24" dev wan
  ip -n "$(ns "$role")" addr add "10.0.$x.1/24" dev lan
  ip -n "$(ns "$role")" link set wan up
  ip -n "$(ns "$role")" link set lan up
  ip -n "$(ns "$role")" route add default via 198.18.0.1
  in_ns "$role" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
}

# A host namespace plugged into a router's LAN bridge (port h<last octet>).
make_host() {
  local role="$1" router="$2" x="$3" octet="$4"
  ns_create "$role"
  ip -n "$(ns "$router")" link add name "h$octet" type veth peer name eth0 netns "$(ns "$role")"
  ip -n "$(ns "$router")" link set "h$octet" master lan up
  ip -n "$(ns "$role")" addr add "10.0.$x.$octet/24" dev eth0
  ip -n "$(ns "$role")" link set eth0 up
  ip -n "$(ns "$role")" route add default via "10.0.$x.1"
}

# --- commands -----------------------------------------------------------------------------------

# EXIT trap of `up`: anything but a finished `up` (an error, a `die`, a signal) deletes what was built.
rollback() {
  local rc=$?
  trap - ERR INT TERM EXIT
  if [ "${UP_DONE:-0}" != 1 ]; then
    log "up failed (exit $rc), rolling back"
    teardown
  fi
  exit "$rc"
}

cmd_up() {
  local a="" b="" shared=0 hairpin="${NATLAB_HAIRPIN:-0}" arg
  for arg in "$@"; do
    case "$arg" in
      --shared) shared=1 ;;
      --hairpin) hairpin=1 ;;
      -*) die "unknown option $arg" ;;
      *) if [ -z "$a" ]; then a="$arg"; elif [ -z "$b" ]; then b="$arg"; else die "too many modes"; fi ;;
    esac
  done
  a="${a:-eim}"; b="${b:-eim}"
  valid_mode "$a"; valid_mode "$b"
  [ "$hairpin" = 1 ] || hairpin=0
  for arg in ip nft conntrack flock; do command -v "$arg" >/dev/null || die "$arg is not installed"; done
  lock
  teardown
  UP_DONE=0
  trap 'exit 1' ERR
  trap 'exit 130' INT TERM
  trap rollback EXIT

  ns_create inet
  mset inet shared "$shared"
  mset inet hairpin "$hairpin"
  ip -n "$(ns inet)" link add name br0 type bridge
  ip -n "$(ns inet)" addr add 198.18.0.1/24 dev br0
  ip -n "$(ns inet)" link set br0 up
  in_ns inet sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
  local loss="${NATLAB_LOSS:-0}"
  [[ "$loss" =~ ^[0-9]+$ ]] && [ "$loss" -le 100 ] || die "NATLAB_LOSS must be a percentage"
  if [ "$loss" -gt 0 ]; then
    in_ns inet nft -f - <<EOF
table bridge natlab_loss {
  chain loss { type filter hook forward priority 0; policy accept; ether type ip numgen random mod 100 < $loss drop; }
}
table ip natlab_loss {
  chain loss { type filter hook forward priority 0; policy accept; numgen random mod 100 < $loss drop; }
}
EOF
  fi

  ns_create server
  ip -n "$(ns inet)" link add name srv type veth peer name eth0 netns "$(ns server)"
  ip -n "$(ns inet)" link set srv master br0 up
  ip -n "$(ns server)" addr add 198.18.0.10/24 dev eth0
  ip -n "$(ns server)" addr add 198.18.0.11/24 dev eth0
  ip -n "$(ns server)" link set eth0 up
  ip -n "$(ns server)" route add default via 198.18.0.1

  make_router natA 1 pa
  make_host hostA natA 1 2
  if [ "$shared" = 1 ]; then
    make_host hostB natA 1 3
  else
    make_router natB 2 pb
    make_host hostB natB 2 2
  fi
  apply_mode natA "$a"
  [ "$shared" = 1 ] || apply_mode natB "$b"

  mset inet state up
  UP_DONE=1
  trap - ERR INT TERM EXIT
  log "up: prefix=${P:-none} natA=$a$([ "$shared" = 1 ] && echo ' (hostA, hostB shared)' || echo " natB=$b") hairpin=$hairpin"
}

cmd_set() {
  [ $# -eq 2 ] || die "usage: natlab.sh set <natA|natB> <mode>"
  local role="$1" mode="$2"
  [ "$role" = natA ] || [ "$role" = natB ] || die "set takes natA or natB, not '$role'"
  valid_mode "$mode"
  lock
  [ "$(mget inet state)" = up ] || die "the lab is not up"
  ns_exists "$role" && owned "$role" || die "$(ns "$role") does not exist (shared topology?)"
  apply_mode "$role" "$mode"
  log "set: $role=$mode"
}

# Roles expected for the topology recorded in inet's marker.
expected_roles() {
  if [ "$(mget inet shared)" = 1 ]; then echo "inet server natA hostA hostB"; else echo "$ALL_ROLES"; fi
}

cmd_status() {
  lock
  local r present=0 missing=""
  for r in $ALL_ROLES; do
    if ns_exists "$r" || [ -d "/etc/netns/$(ns "$r")" ]; then present=$((present + 1)); fi
  done
  if [ "$present" -eq 0 ]; then echo "DOWN prefix=${P:-none}"; return 3; fi
  for r in $(expected_roles); do
    ns_exists "$r" && owned "$r" || missing="$missing $r"
  done
  if [ -z "$missing" ] && [ "$(mget inet state)" = up ]; then
    local b="shared"
    [ "$(mget inet shared)" = 1 ] || b="$(mget natB mode)"
    echo "UP prefix=${P:-none} natA=$(mget natA mode) natB=$b hairpin=$(mget inet hairpin)"
    return 0
  fi
  echo "INCOMPLETE prefix=${P:-none} missing:${missing:- none} state=$(mget inet state) (run up or down)"
  return 1
}

cmd_down() {
  lock
  teardown
  log "down: prefix=${P:-none}"
}

cmd_exec() {
  [ $# -ge 2 ] || die "usage: natlab.sh exec <ns> <cmd…>"
  local role="$1"; shift
  [[ " $ALL_ROLES " == *" $role "* ]] || die "unknown namespace '$role' (one of: $ALL_ROLES)"
  ns_exists "$role" || die "$(ns "$role") does not exist"
  exec ip netns exec "$(ns "$role")" "$@"
}

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  up) cmd_up "$@" ;;
  set) cmd_set "$@" ;;
  status) cmd_status "$@" ;;
  down) cmd_down "$@" ;;
  exec) cmd_exec "$@" ;;
  *) die "usage: natlab.sh up [A B] [--shared] [--hairpin] | set <natA|natB> <mode> | status | down | exec <ns> <cmd…>" ;;
esac
