export const DB_PORT = 5432;

export const baseBucketProps = {
  versioned: true,
  enforceSSL: true,
};
