// Minimal typings for the parts of des.js this project uses (the package ships none).
declare module 'des.js' {
  interface DesCipherOptions {
    type: 'encrypt' | 'decrypt';
    key: ArrayLike<number>;
    /** PKCS#7 padding; TDDP zero-pads itself, so always false here. */
    padding?: boolean;
  }
  interface DesCipher {
    update(data: ArrayLike<number>): number[];
    final(): number[];
  }
  export const DES: { create(options: DesCipherOptions): DesCipher };
}
