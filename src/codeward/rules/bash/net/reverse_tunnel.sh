#!/bin/bash
# ruleid: bash.net.reverse_tunnel
ssh -f -N -R 2222:localhost:22 tunnel@198.51.100.4
# ruleid: bash.net.reverse_tunnel
ssh -N -R 0.0.0.0:13389:127.0.0.1:3389 relay.example.net
# ruleid: bash.net.reverse_tunnel
autossh -M 0 -R 1080 ops@198.51.100.4
# ruleid: bash.net.reverse_tunnel
ssh -R 80:localhost:3000 serveo.net

# ok: bash.net.reverse_tunnel
ssh -L 5432:db.internal:5432 bastion.example.com
# ok: bash.net.reverse_tunnel
ssh -D 1080 proxy.example.com
# ok: bash.net.reverse_tunnel
ssh deploy@example.com uptime
