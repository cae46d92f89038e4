#!/usr/bin/env bash
# deps.sh installs the Debian packages the tests use, when they are missing
# and we run as root; otherwise it says what is missing and carries on, and
# the tests that need a package say so when they fail.
set -euo pipefail
packages=(
  # Each line: a package the tests use, and what for.
  bind9-utils        # named-checkzone: providers/dns checks the zones it writes
  chromium           # headless browser: the HTML plan page is tested in it
  apache2            # apache2, apache2ctl, mod_access_compat: providers/apache tests against the real server
  subversion         # svnadmin, svnlook, svn: providers/svn tests real repositories and commits
  php-cli            # php -l: the pre-commit lint tests
  nftables           # nft: nftables_blocklist is tested in a network namespace
  iproute2           # ip netns, veth: the namespaces those tests create
  openssh-server     # sshd: internal/sshtest starts its own on loopback for the SSH transport's tests
  openssh-client     # ssh-keygen, ssh-agent: internal/sshtest makes host and user keys and tests agent logins
  sudo               # sudo = true in the ssh block is tested with a login that is not root
  util-linux         # flock: the lock an access file takes on a host reached over SSH
  time               # /usr/bin/time: make bench measures the shell pipeline detect replaces
  systemd-journal-remote # writes the journal files plumb detect -journal reads back in tests
  fonts-dejavu-core  # fonts for the HTML page's screenshots
  curl               # examples/ci/plumb-review.sh talks to the forge's API; its test runs it
  jq                 # the same script reads the plan's status and the forge's answers
  zsh                # plumb completion zsh is tested at a real zsh prompt
  fish               # plumb completion fish is tested with fish's complete -C
  groff-base         # groff: the generated manual page must format without warnings
  shellcheck         # actionlint checks the run: scripts of examples/ci with it
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "deps: missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
