#!/bin/sh
# Installs the browsers the tests drive (Debian's packages), and the jq program that the jq tests and the
# benchmark compare the viewer's results with, only when one is missing.
set -e
need=""
[ -x /usr/bin/chromium ] || need="$need chromium"
[ -x /usr/bin/chromedriver ] || need="$need chromium-driver"
[ -x /usr/bin/firefox-esr ] || need="$need firefox-esr"
[ -x /usr/bin/jq ] || need="$need jq"
[ -z "$need" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-browsers: missing$need; run as root, or: sudo apt-get install$need" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need
