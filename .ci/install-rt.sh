#!/usr/bin/env bash
# Install Request Tracker 5 (Debian bookworm packages) for the test suite.
#
# Idempotent: when RT is already installed and our site config is in place it
# does nothing. Needs root. A cold install pulls 265 packages (~58 MB) and took
# 20 s here with a fast mirror (up to ~90 s seen on slower ones); a re-run < 0.1 s.
#
# The tests start their own `rt-server` on a free loopback port (see
# tests/servers/rt.py); the URL settings written here are only defaults that
# the fixture overrides via its own config file.
set -euo pipefail

SITE_DIR=/etc/request-tracker5/RT_SiteConfig.d
SITE_FILE=$SITE_DIR/99-oncall-tui-tests.pm
ROOT_PASSWORD=${RT_ROOT_PASSWORD:-oncall-test-root}

write_site_config() {
    mkdir -p "$SITE_DIR"
    cat >"$SITE_FILE" <<'EOF'
# Written by oncall-tui's .ci/install-rt.sh: settings for a local test RT.
# An empty WebPath must be set here: an empty preseeded path is ignored and
# RT falls back to /rt.
Set($WebPath, '');
Set($WebDomain, '127.0.0.1');
Set($WebPort, 8080);
Set($WebBaseURL, 'http://127.0.0.1:8080');
Set($LogToSTDERR, 'warning');
Set($LogToSyslog, undef);
# Write outgoing mail to files instead of failing to reach an MTA.
Set($MailCommand, 'mbox');
# The default cost makes every token-authenticated request take ~0.45 s.
Set($BcryptCost, 4);
1;
EOF
    chmod 0644 "$SITE_FILE"
}

if dpkg-query -W -f='${Status}\n' request-tracker5 rt5-standalone rt5-db-sqlite msmtp-mta 2>/dev/null \
        | grep -c 'install ok installed' | grep -qx 4 \
   && [ -f "$SITE_FILE" ] && [ -f /var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb ]; then
    chmod 0644 /etc/request-tracker5/RT_SiteConfig.pm 2>/dev/null || true
    echo "install-rt: Request Tracker already installed and configured"
    exit 0
fi

start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive

# Site config before the package: its postinst initialises the database
# with these settings.
write_site_config

debconf-set-selections <<EOF
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
request-tracker5 request-tracker5/initial-root-password password $ROOT_PASSWORD
request-tracker5 request-tracker5/rtname string oncall-test
request-tracker5 request-tracker5/organization string oncall-test.invalid
request-tracker5 request-tracker5/correspondaddress string rt@oncall-test.invalid
request-tracker5 request-tracker5/commentaddress string rt-comment@oncall-test.invalid
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1:8080
request-tracker5 request-tracker5/webpath string
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
EOF

# Fresh package lists: a stale list on a reused machine fails with 404s.
apt-get update -qq
apt-get install -y --no-install-recommends \
    request-tracker5 rt5-standalone rt5-db-sqlite msmtp-mta

# RT_SiteConfig.pm is installed 0600 root; rt-server runs as www-data.
chmod 0644 /etc/request-tracker5/RT_SiteConfig.pm
write_site_config

test -f /var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb \
    || { echo "install-rt: RT database was not created" >&2; exit 1; }
echo "install-rt: installed in $(( $(date +%s) - start )) s"
