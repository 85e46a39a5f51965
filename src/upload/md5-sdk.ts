import { Md5 } from '@smithy/core/checksum';
import type { NewMd5 } from './md5';

/** The SDK's streaming MD5 (Node's crypto in Node, JavaScript in browsers): see md5.ts for who uses which. */
export const sdkMd5: NewMd5 = () => new Md5();
