#!/usr/bin/env bash
# python3 asyncio: the event loop's self-pipe is a socketpair(AF_UNIX)
# watched with epoll; a gather of sleeps, a subprocess whose output is
# read through asyncio pipes, and a StreamReader/StreamWriter pair over a
# socketpair. Output compared with a native run.
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/python3 "python3 is part of the base image"
read -r -d '' PY <<'EOF_PY'
import asyncio, socket

async def sleeper(i):
    await asyncio.sleep(0.01 * (3 - i))
    return i * i

async def child():
    proc = await asyncio.create_subprocess_exec(
        "echo", "hello from echo", stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return out.decode().strip(), proc.returncode

async def streams():
    a, b = socket.socketpair()
    r1, w1 = await asyncio.open_connection(sock=a)
    r2, w2 = await asyncio.open_connection(sock=b)
    w1.write(b"ping\n")
    await w1.drain()
    line = await r2.readline()
    w2.write(line.upper())
    await w2.drain()
    back = await r1.readline()
    w1.close(); w2.close()
    await w1.wait_closed(); await w2.wait_closed()
    return line, back

async def main():
    print("gather:", await asyncio.gather(*(sleeper(i) for i in range(3))))
    print("child:", await child())
    print("streams:", await streams())
    print("wait_for:", await asyncio.wait_for(asyncio.sleep(0, "in time"), 5))

asyncio.run(main())
EOF_PY
compare_run /usr/bin/python3 -c "$PY"
