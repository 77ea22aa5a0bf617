import COpenSSL

/// SHA-256 digests (OpenSSL `EVP_Digest`).
public enum SHA256 {
    /// The 32-byte digest of `data`.
    public static func hash<Data: Collection>(_ data: Data) -> [UInt8] where Data.Element == UInt8 {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let data = Array(data)
        data.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                _ = EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        return output
    }

    /// The digest as lowercase hex, as Twilio's `bodySHA256` carries it.
    public static func hexHash<Data: Collection>(_ data: Data) -> String where Data.Element == UInt8 {
        Hex.encode(hash(data))
    }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hex.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
