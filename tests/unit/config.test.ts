import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('starts on embedded defaults with nothing set: local Slack, PGlite, local Redis, no model', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.slack.mode).toBe('local');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.redis.autostart).toBe(true);
    expect(c.ai.baseUrl).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:3000');
  });

  it('names every malformed variable and says what is expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SLACK_BOT_TOKEN: 'xoxp-user' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/DATABASE_URL: must start with postgresql:\/\//);
    expect(message).toMatch(/SLACK_BOT_TOKEN: must be a bot token starting with xoxb-/);
    expect(message).not.toMatch(/xoxp-user/);
  });

  it('asks for a signing secret with a bot token, and for production essentials', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL[\s\S]*DATABASE_URL/);
  });

  it('picks Socket Mode when an app token is set', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack.mode).toBe('socket');
  });
});
