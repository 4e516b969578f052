/** `system`: host identity, name resolution, time zone and login users. */
import { container, flag, leaf, multi, tag, unsupported, type SchemaNode } from '../node.js';
import { conntrack } from './conntrack.js';
import {
  anyOf,
  domainName,
  hostname,
  interfaceName,
  ipv4,
  ipv6,
  multilineText,
  oneOf,
  pattern,
  text,
  u32,
} from '../types.js';

const notYet = (name: string, help: string, area: string): SchemaNode =>
  unsupported(name, help, `system ${area} is not implemented yet`);

const publicKeyTypes = oneOf('ssh-key-type', [
  { value: 'ssh-rsa', description: 'RSA key' },
  { value: 'ssh-ed25519', description: 'Ed25519 key' },
  { value: 'ecdsa-sha2-nistp256', description: 'ECDSA key on NIST P-256' },
  { value: 'ecdsa-sha2-nistp384', description: 'ECDSA key on NIST P-384' },
  { value: 'ecdsa-sha2-nistp521', description: 'ECDSA key on NIST P-521' },
  { value: 'sk-ssh-ed25519@openssh.com', description: 'Ed25519 key on a security key' },
  { value: 'sk-ecdsa-sha2-nistp256@openssh.com', description: 'ECDSA key on a security key' },
  { value: 'ssh-dss', description: 'DSA key (obsolete)' },
]);

const user = tag(
  'user',
  'Local user account',
  pattern(
    'user-name',
    /^[a-z_][a-z0-9_.-]{0,31}$/,
    '<username>',
    'Username (lower case letters, digits, _ - .)',
  ),
  [
    container('authentication', 'Authentication settings', [
      leaf(
        'encrypted-password',
        'Encrypted password',
        pattern(
          'crypt-hash',
          /^(?:\$[0-9a-z]+\$[^\s:]+|[!*][^\s:]*)$/,
          '<hash>',
          'crypt(3) password hash, such as $6$salt$hash',
        ),
        { secret: true },
      ),
      leaf(
        'plaintext-password',
        'Plaintext password used for encryption',
        text(128, 'Plaintext password'),
        {
          secret: true,
        },
      ),
      tag(
        'public-keys',
        'Remote access public keys',
        text(64, 'Key identifier used by ssh-keygen (usually of form user@host)'),
        [
          leaf(
            'key',
            'Public key value (Base64 encoded)',
            pattern(
              'ssh-key',
              /^[A-Za-z0-9+/]+={0,3}$/,
              '<base64>',
              'Public key value (Base64 encoded)',
            ),
            {
              required: true,
            },
          ),
          leaf(
            'options',
            'Additional public key options',
            text(512, 'Options as in authorized_keys'),
          ),
          leaf('type', 'SSH public key type', publicKeyTypes, { required: true }),
        ],
      ),
      unsupported(
        'otp',
        'One-Time-Pad (two-factor) authentication',
        'OTP authentication is not implemented yet',
      ),
    ]),
    leaf(
      'full-name',
      'Full name of the user (use quotes for names with spaces)',
      text(128, 'Full name of the user'),
    ),
    leaf(
      'home-directory',
      'Home directory',
      pattern('path', /^\/[^\s]*$/, '<path>', 'Absolute path'),
    ),
    flag('disable', 'Disable the account'),
    leaf(
      'level',
      'Login level: what the user may do',
      oneOf('login-level', [
        { value: 'admin', description: 'Operational and configuration mode' },
        { value: 'operator', description: 'Operational mode only; cannot configure' },
      ]),
      { default: 'admin' },
    ),
  ],
);

/** The longest banner, in characters. */
export const MAX_BANNER_LENGTH = 4096;

const bannerLeaf = (name: string, help: string): SchemaNode =>
  leaf(
    name,
    help,
    multilineText(
      `Banner text: \\n in a quoted value starts a new line, \\t is a tab (at most ${MAX_BANNER_LENGTH} characters)`,
    ),
    {
      constraints: [
        {
          test: (v) => v.length <= MAX_BANNER_LENGTH,
          message: `a banner is at most ${MAX_BANNER_LENGTH} characters`,
        },
      ],
    },
  );

/** VyOS's `system login banner`: shown before login (SSH) and when an interactive session starts. */
const banner = container('banner', 'System login banners', [
  bannerLeaf('post-login', 'A system banner after the user logs in'),
  bannerLeaf('pre-login', 'A system banner before the user logs in'),
]);

export const system = container(
  'system',
  'System parameters',
  [
    notYet('acceleration', 'Hardware acceleration', 'acceleration'),
    container('config-management', 'Configuration management settings', [
      unsupported(
        'commit-archive',
        'Commit archive settings',
        'archiving commits to remote locations is not implemented yet',
      ),
      leaf(
        'audit-entries',
        'Audit log entries to keep',
        u32(100, 1_000_000, 'Number of audit log entries to keep (the oldest go first)'),
        { default: '10000' },
      ),
      leaf(
        'commit-revisions',
        'Commit revisions',
        u32(1, 65535, 'Number of config backups to keep'),
        { default: '100' },
      ),
    ]),
    conntrack,
    notYet('console', 'Serial console configuration', 'console'),
    leaf('domain-name', 'System domain name', domainName),
    multi('domain-search', 'Domain name search list', domainName),
    notYet('flow-accounting', 'Flow accounting settings', 'flow-accounting'),
    notYet('frr', 'Configure FRR parameters', 'frr'),
    leaf('host-name', 'System host name', hostname, { default: 'fos' }),
    notYet('ip', 'IPv4 settings', 'ip'),
    notYet('ipv6', 'IPv6 settings', 'ipv6'),
    notYet('lcd', 'System LCD display', 'lcd'),
    container('login', 'System user configuration', [
      banner,
      notYet(
        'max-login-session',
        'Maximum number of all login sessions',
        'login max-login-session',
      ),
      notYet('radius', 'RADIUS based user authentication', 'login radius'),
      notYet('tacacs', 'TACACS+ based user authentication', 'login tacacs'),
      notYet('timeout', 'Session timeout', 'login timeout'),
      user,
    ]),
    notYet('logs', 'Logging settings', 'logs'),
    multi(
      'name-server',
      'System Domain Name Servers (DNS)',
      anyOf('name-server', ipv4, ipv6, {
        ...interfaceName,
        help: [
          { format: '<interface>', description: 'Use name servers learned on this interface' },
        ],
      }),
    ),
    notYet('ntp', 'Network Time Protocol (VyOS 1.3 syntax; now service ntp)', 'ntp'),
    notYet('option', 'System options', 'option'),
    notYet('proxy', 'Global proxy server', 'proxy'),
    notYet('sflow', 'sFlow settings', 'sflow'),
    notYet('static-host-mapping', 'Map host names to addresses', 'static-host-mapping'),
    notYet('sysctl', 'Configure kernel parameters', 'sysctl'),
    notYet('syslog', 'System logging', 'syslog'),
    notYet('task-scheduler', 'Task scheduler', 'task-scheduler'),
    leaf(
      'time-zone',
      'Local time zone',
      pattern(
        'time-zone',
        /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/,
        '<Area/City>',
        'Time zone name, such as Europe/Berlin or UTC',
      ),
      { default: 'UTC' },
    ),
    notYet('updates', 'System update settings', 'updates'),
    notYet('watchdog', 'Hardware watchdog', 'watchdog'),
    notYet('wireless', 'Wireless settings', 'wireless'),
  ],
  { owner: 'system', priority: 100 },
);
