#!/usr/bin/env bash
# The Debian layer of the router image: `debian.sh DIR DEBS` makes the root tree
# DIR with mmdebstrap, taking .deb files from DEBS and leaving there those it
# downloaded. images/build keys its cache on this file: change a package here
# and the next build makes the layer anew.
set -euo pipefail
dir=$1
debs=$(readlink -f "$2")

packages=(
  linux-image-amd64 systemd-sysv udev kmod dbus
  iproute2 nftables procps iputils-ping
  frr chrony kea-dhcp4-server kea-dhcp6-server
  qemu-guest-agent wireguard-tools
)

# Debian's mirrors, as named by Debian (deb.debian.org redirects to one nearby).
mirrors=(
  'deb http://deb.debian.org/debian bookworm main'
  'deb http://deb.debian.org/debian bookworm-updates main'
  'deb http://deb.debian.org/debian-security bookworm-security main'
)

# Documentation, translations and drivers a virtual router never loads.
excludes=(
  '/usr/share/doc/*' '/usr/share/man/*' '/usr/share/info/*' '/usr/share/locale/*'
  '/lib/modules/*/kernel/sound/*' '/lib/modules/*/kernel/drivers/gpu/*'
  '/lib/modules/*/kernel/drivers/media/*' '/lib/modules/*/kernel/drivers/net/wireless/*'
  '/lib/modules/*/kernel/drivers/infiniband/*' '/lib/modules/*/kernel/drivers/staging/*'
  '/lib/modules/*/kernel/drivers/bluetooth/*' '/lib/modules/*/kernel/net/bluetooth/*'
  '/lib/modules/*/kernel/net/wireless/*' '/lib/modules/*/kernel/net/mac80211/*'
  '/lib/modules/*/kernel/drivers/usb/*' '/lib/modules/*/kernel/drivers/hid/*'
  '/lib/modules/*/kernel/drivers/input/*' '/lib/modules/*/kernel/drivers/scsi/*'
  '/lib/modules/*/kernel/drivers/iio/*' '/lib/modules/*/kernel/drivers/isdn/*'
  '/lib/modules/*/kernel/drivers/mtd/*' '/lib/modules/*/kernel/fs/ocfs2/*'
)
dpkgopts=()
for e in "${excludes[@]}"; do
  dpkgopts+=(--dpkgopt="path-exclude=$e")
  case $e in /lib/*) dpkgopts+=(--dpkgopt="path-exclude=/usr$e") ;; esac # merged /usr
done
dpkgopts+=(--dpkgopt='path-include=/usr/share/doc/*/copyright')
# But the event device of input: the ACPI power button (a hypervisor's shutdown) reaches logind
# through it.
dpkgopts+=(--dpkgopt='path-include=/lib/modules/*/kernel/drivers/input/evdev.ko'
  --dpkgopt='path-include=/usr/lib/modules/*/kernel/drivers/input/evdev.ko')

# The initramfs holds only what a virtio disk with ext4 needs: small, so it
# unpacks fast under emulation. Set before the kernel is installed, so that its
# postinst makes it once.
initramfs='
  mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"
  printf "MODULES=list\nCOMPRESS=gzip\n" >"$1/etc/initramfs-tools/conf.d/fos.conf"
  printf "virtio_pci\nvirtio_blk\ncrc32c_generic\next4\n" >"$1/usr/share/initramfs-tools/modules.d/fos"
'
# Services FOS1 will start itself when its configuration asks for them.
services='chroot "$1" systemctl disable frr.service chrony.service kea-dhcp4-server.service kea-dhcp6-server.service'

mmdebstrap --mode=root --variant=minbase --format=directory \
  --aptopt='APT::Install-Recommends "false"' \
  --include="$(
    IFS=,
    echo "${packages[*]}"
  )" \
  "${dpkgopts[@]}" \
  --skip=essential/unlink --skip=download/empty --dpkgopt=force-unsafe-io \
  --essential-hook="$initramfs" \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
  --setup-hook="sync-in '$debs' /var/cache/apt/archives/" \
  --customize-hook="sync-out /var/cache/apt/archives '$debs'" \
  --customize-hook="$services" \
  --customize-hook='echo fos >"$1/etc/hostname"' \
  --customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" >"$1/etc/fstab"' \
  --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/etc/machine-id; touch "$1"/etc/machine-id' \
  bookworm "$dir" "${mirrors[@]}"
