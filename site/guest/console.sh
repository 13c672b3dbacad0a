#!/bin/sh
# The console loop that site/lab/console.mjs talks to: each line "ID BASE64" is a command; its output
# and exit status come back between the lines "\001B ID" and "\001E ID STATUS". The loop survives
# Ctrl-C (its trap), the command it runs does not (a trapped signal is reset in a child).
stty -echo
trap : INT
echo "bondkit-guest: console ready"
while read -r id code; do
    [ -n "$id" ] || continue
    echo "$code" | base64 -d > /tmp/command 2>/dev/null
    printf '\001B %s\n' "$id"
    sh /tmp/command < /dev/null 2>&1
    printf '\001E %s %s\n' "$id" "$?"
done
