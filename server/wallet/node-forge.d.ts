// The few node-forge calls used to read .p12 files (the package ships no types).
declare module 'node-forge' {
  interface ForgeBuffer {
    getBytes(): string;
  }
  interface Asn1 {
    readonly tagClass: number;
  }
  interface SafeBag {
    type: string;
    key?: unknown;
    cert?: unknown;
    asn1?: Asn1;
    attributes: Record<string, unknown[] | undefined>;
  }
  interface Pkcs12 {
    getBags(filter: { bagType: string }): Record<string, SafeBag[] | undefined>;
  }
  const forge: {
    asn1: {
      fromDer(bytes: string, strict?: boolean): Asn1;
      toDer(asn1: Asn1): ForgeBuffer;
    };
    pkcs12: {
      pkcs12FromAsn1(asn1: Asn1, strict: boolean, password: string): Pkcs12;
    };
    pki: {
      oids: Record<string, string>;
      privateKeyToAsn1(key: unknown): Asn1;
      wrapRsaPrivateKey(asn1: Asn1): Asn1;
      certificateToAsn1(cert: unknown): Asn1;
    };
  };
  export default forge;
}
