import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { quietBuildLogger, quietSdkNodeNotice, SDK_NODE_WARNING_SWITCH } from '../../scripts/demo-output';

const ROOT = join(import.meta.dirname, '../..');

/**
 * Makes an S3 client with the project's pinned SDK in a fresh Node (the SDK
 * warns once per process), then emits a warning of its own; returns stderr.
 */
function stderrOfNewClient(env: NodeJS.ProcessEnv): string {
  const script = `
    import { S3Client } from '@aws-sdk/client-s3';
    new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
    process.emitWarning('Some other warning the demo must not hide');
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stderr;
}

const envWithoutSwitch = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env[SDK_NODE_WARNING_SWITCH];
  return env;
};

describe("the demo's Node version notice", () => {
  it('on Node 20, turns the SDK warning off and says it in one line', () => {
    const env: NodeJS.ProcessEnv = {};
    const line = quietSdkNodeNotice('v20.20.2', env);
    expect(env[SDK_NODE_WARNING_SWITCH]).toBe('true');
    expect(line).toContain('Node v20.20.2');
    expect(line).toContain('Node 22');
    expect(line).not.toContain('\n');
  });

  it('says nothing and changes nothing on Node 22 or newer', () => {
    for (const version of ['v22.0.0', 'v24.3.1']) {
      const env: NodeJS.ProcessEnv = {};
      expect(quietSdkNodeNotice(version, env)).toBeUndefined();
      expect(env).toEqual({});
    }
  });

  it("leaves a user's own choice alone", () => {
    const env: NodeJS.ProcessEnv = { [SDK_NODE_WARNING_SWITCH]: 'false' };
    expect(quietSdkNodeNotice('v20.20.2', env)).toBeUndefined();
    expect(env[SDK_NODE_WARNING_SWITCH]).toBe('false');
  });

  it('the pinned SDK obeys the switch: its warning is gone, other warnings still show', () => {
    const major = Number(process.versions.node.split('.')[0]);
    // Without the switch, this Node shows the warning exactly when the SDK wants a newer one: the check can see it.
    expect(stderrOfNewClient(envWithoutSwitch()).includes('NodeVersionSupportWarning')).toBe(major < 22);

    const env = envWithoutSwitch();
    quietSdkNodeNotice(process.version, env);
    const stderr = stderrOfNewClient(env);
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    expect(stderr).toContain('Some other warning the demo must not hide');
  });
});

describe("the demo's build logger", () => {
  it("drops WXT's progress and file list, passes warnings and errors on", () => {
    const sink = { warn: vi.fn(), error: vi.fn() };
    const logger = quietBuildLogger(sink);
    logger.info('Building chrome-mv3 for production');
    logger.success('Built extension in 11.2 s\n  ├─ .output/chrome-mv3/manifest.json 953 B');
    logger.log('  - ERROR detail');
    logger.debug('Detected entrypoints:', []);
    expect(sink.warn).not.toHaveBeenCalled();
    expect(sink.error).not.toHaveBeenCalled();

    logger.warn('Failed to update .wxt directory:', 'EACCES');
    logger.error('Entrypoint validation failed: 1 error, 0 warnings');
    logger.fatal('Build failed');
    expect(sink.warn).toHaveBeenCalledWith('Failed to update .wxt directory:', 'EACCES');
    expect(sink.error.mock.calls).toEqual([['Entrypoint validation failed: 1 error, 0 warnings'], ['Build failed']]);
  });
});
