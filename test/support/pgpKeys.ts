/** OpenPGP key fixtures for the bootstrap and config tests (public keys and one secret-key packet, no real secret). */

/** A real key: `gpg --quick-gen-key ... ed25519` + cv25519 subkey, `gpg --export | base64 -w0`. */
export const REAL_PUBLIC_KEY =
    "mDMEawkE2BYJKwYBBAHaRw8BAQdA+kMtvQF5ToBO+ENzx1jiaxFedECnplpnrB8xe2Om+d60JHZhdWx0a2l0IHRlc3QgPHRlc3RAZXhhbXBsZS5pbnZhbGlkPoiQBBMWCAA4FiEEjFRkrrjhArauCNpJL2BfJYtIKc8FAmsJBNgCGwMFCwkIBwIGFQoJCAsCBBYCAwECHgECF4AACgkQL2BfJYtIKc+eUwD/bBPYyyHEQ/uXZZxtute02W4Ukj+nMZjjc4DjXIMRsEMBANZ7PtNstUPb4qex04n21i423GJ11zQPmsN7myJeKXQLuDgEawkE2RIKKwYBBAGXVQEFAQEHQFCpNE1NGX1GolNPaMXlXNMkcFShhCrhK/TKYGlA7PBHAwEIB4h4BBgWCAAgFiEEjFRkrrjhArauCNpJL2BfJYtIKc8FAmsJBNkCGwwACgkQL2BfJYtIKc9XxAD9G4LkkEigNaqpKcUVaLafxaqOPnOjGHBibNS3ZhpDy3EA/1RFmPQSlzz+mHN9NFMVIqvVqx7ak6oUxcjAXZQhlUEE";

/** Packet bytes with a given first octet (0x99: old-format public key; 0x95: secret key). */
export function fakeKey(firstOctet: number, seed: number): string {
    const bytes = Buffer.alloc(300);
    bytes[0] = firstOctet;
    for (let i = 1; i < bytes.length; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
    return bytes.toString("base64");
}
export const KEY_A = fakeKey(0x99, 1);
export const KEY_B = fakeKey(0xc6, 2); // new-format public-key packet
export const SECRET_KEY = fakeKey(0x95, 3);

