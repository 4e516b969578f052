/** The configuration of a fresh store, like VyOS's default: one user `fos` with password `fos`. */
export const DEFAULT_CONFIG = `set interfaces loopback lo
set system host-name 'fos'
set system login user fos authentication encrypted-password '$6$fosdefaultsalt$ba5Otcn6dPsvZJMWWxBg4UzNoD7K/sPTE5S5idzJAnrJx4FuudF3SPlyiD8HI2SnhbsUvX7/.ohkPY7SdCZCJ0'
`;
