"""Drive FOS1 with netmiko's vyos driver, as network automation does.

usage: netmiko_vyos.py PORT LINE...   (prints what netmiko saw; exits non-zero on failure)
"""
import sys

from netmiko import ConnectHandler


def main() -> int:
    port = int(sys.argv[1])
    lines = sys.argv[2:]
    conn = ConnectHandler(
        device_type="vyos",
        host="127.0.0.1",
        port=port,
        username="fos",
        password="fos",
        timeout=20,
        ssh_config_file=None,
        allow_agent=False,
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
