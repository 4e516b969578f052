"""Drive FOS1 with netmiko's vyos driver, as network automation does.

usage: netmiko_vyos.py [--fast] PORT LINE...   (prints what netmiko saw; exits non-zero on failure)

netmiko 2.4's driver waits 2 s of silence after each check_config_mode,
send_config_set and send_command_timing (`_read_channel_timing`'s final
delay), whatever the router answers: 9 such waits make a session of this
script take about 23 s. FOS1 answers every line at once with its prompt last,
so --fast (fast_cli with global_delay_factor 0.1: those waits become 0.2 s)
is safe, and the session takes about 2.5 s.
"""
import sys

from netmiko import ConnectHandler


def main() -> int:
    args = sys.argv[1:]
    fast = args[0] == "--fast"
    if fast:
        args = args[1:]
    port = int(args[0])
    lines = args[1:]
    conn = ConnectHandler(
        device_type="vyos",
        host="127.0.0.1",
        port=port,
        username="fos",
        password="fos",
        timeout=20,
        ssh_config_file=None,
        allow_agent=False,
        **({"fast_cli": True, "global_delay_factor": 0.1} if fast else {}),
    )
    output = conn.send_config_set(lines)
    output += conn.commit()
    conn.exit_config_mode()
    output += conn.send_command("show interfaces")
    conn.disconnect()
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
