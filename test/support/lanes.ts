import { swiftInstalled } from './s3-servers';

/**
 * Whether the strict lane (Swift s3api, which verifies signatures) can run.
 * In CI a missing Swift is a failure, never a skip; on a developer machine the
 * strict tests are skipped with a line saying how to install it.
 */
export function strictLaneAvailable(): boolean {
  if (swiftInstalled()) return true;
  if (process.env.CI) throw new Error('CI: the strict S3 lane needs OpenStack Swift (apt-get install -y swift-proxy swift-account swift-container swift-object).');
  console.warn('Skipping strict-lane tests: install swift-proxy swift-account swift-container swift-object to run them.');
  return false;
}
