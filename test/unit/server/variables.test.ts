import { describe, expect, it } from 'vitest';
import { isSecretName, shownValue } from '../../../server/variables';

describe('secret-looking names', () => {
  it('masks tokens, secrets, passwords and keys', () => {
    for (const name of [
      'GITHUB_TOKEN',
      'TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'DB_PASSWORD',
      'PGPASSWORD',
      'API_KEY',
      'APIKEY',
      'SSH_PRIVATE',
      'NPM_AUTH',
      'DB_PASS',
      'MY_PWD',
      'client_secret',
      'SESSION_COOKIE',
      'SENTRY_DSN',
    ]) {
      expect(isSecretName(name), name).toBe(true);
      expect(shownValue(name, 'value-123')).not.toContain('value-123');
    }
  });

  it('shows ordinary names', () => {
    for (const name of ['HOME', 'PATH', 'PWD', 'OLDPWD', 'REGION', 'KEYBOARD_LAYOUT', 'MONKEY', 'LIMIT']) {
      expect(isSecretName(name), name).toBe(false);
      expect(shownValue(name, 'v')).toBe('v');
    }
  });
});
