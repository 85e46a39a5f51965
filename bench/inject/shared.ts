/** What the bench hands the scripts it evaluates in the browser (no side effects: Node imports it too). */
export interface SignerConnection {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

/** The file row 1 signs for; bench/boto3_helper.py signs the same one, so both sign the same two requests. */
export const SIGNED_FILE = { size: 1024, type: 'application/octet-stream', name: 'file.bin', linkSeconds: 3600 } as const;
