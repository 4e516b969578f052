import { sha512crypt, verifyPassword } from './src/commit/sha512crypt.js';
console.log(sha512crypt('fos', 'fosdefaultsalt'));
console.log(sha512crypt('Hello world!', 'saltstring'));
console.log(sha512crypt('Hello world!', 'saltstringsaltstring', 10000));
console.log(
  verifyPassword(
    'fos',
    '$6$fosdefaultsalt$ba5Otcn6dPsvZJMWWxBg4UzNoD7K/sPTE5S5idzJAnrJx4FuudF3SPlyiD8HI2SnhbsUvX7/.ohkPY7SdCZCJ0',
  ),
);
