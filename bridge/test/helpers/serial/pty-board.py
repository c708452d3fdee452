#!/usr/bin/env python3
"""A stand-in for a USB CDC board's serial port, for `megabit device flash` tests: a pty whose
slave side is linked at LINK, held open on the master side.

  pty-board.py LINK megabit   a running Megabit firmware: when the port was set to 1200 bps
                              and then closed (the 1200-baud touch), prints "touched", removes
                              LINK and exits, as the board resets into its bootloader
  pty-board.py LINK plain     a port that is just there (a bootloader, or firmware without
                              the touch) until killed

Prints "ready" once LINK exists. The master side sees the slave's termios (Linux hands a
TCGETS on a pty master to its slave), so the baud rate the host set is visible here, and
POLLHUP on the master says no program has the slave open."""
import os
import select
import signal
import sys
import termios
import time

link, mode = sys.argv[1], sys.argv[2]
master, slave = os.openpty()
attrs = termios.tcgetattr(slave)
attrs[4] = attrs[5] = termios.B115200
termios.tcsetattr(slave, termios.TCSANOW, attrs)
os.symlink(os.ttyname(slave), link)
os.close(slave)


def finish(*_):
    try:
        os.unlink(link)
    except FileNotFoundError:
        pass
    sys.exit(0)


signal.signal(signal.SIGTERM, finish)
print("ready", flush=True)
poller = select.poll()
poller.register(master, select.POLLIN | select.POLLHUP)
while True:
    events = poller.poll(1000)
    hung_up = any(e & select.POLLHUP for _, e in events)
    if any(e & select.POLLIN for _, e in events):
        try:
            os.read(master, 4096)
        except OSError:
            pass
    if mode == "megabit" and hung_up and termios.tcgetattr(master)[4] == termios.B1200:
        print("touched", flush=True)
        finish()
    if hung_up:
        time.sleep(0.005)
