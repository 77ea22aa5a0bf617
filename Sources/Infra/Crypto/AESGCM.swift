import COpenSSL

/// AES-256-GCM authenticated encryption (OpenSSL EVP): 32-byte key, 12-byte random nonce, 16-byte tag.
public enum AESGCM {
    /// Key length in bytes.
    public static let keySize = 32
    /// Nonce length in bytes.
    public static let nonceSize = 12
    /// Tag length in bytes.
    public static let tagSize = 16

    /// A sealed message: nonce, ciphertext and tag.
    public struct SealedBox: Sendable, Hashable {
        /// The 12-byte nonce.
        public var nonce: [UInt8]
        /// The ciphertext, as long as the plaintext.
        public var ciphertext: [UInt8]
        /// The 16-byte authentication tag.
        public var tag: [UInt8]

        /// `nonce | ciphertext | tag` in one buffer.
        public var combined: [UInt8] { nonce + ciphertext + tag }

        /// Creates a box from its parts.
        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }

        /// Splits `nonce | ciphertext | tag`.
        public init(combined: [UInt8]) throws(CryptoError) {
            guard combined.count >= AESGCM.nonceSize + AESGCM.tagSize else {
                throw .invalidInput("sealed box too short")
            }
            nonce = Array(combined[..<AESGCM.nonceSize])
            ciphertext = Array(combined[AESGCM.nonceSize..<(combined.count - AESGCM.tagSize)])
            tag = Array(combined[(combined.count - AESGCM.tagSize)...])
        }
    }

    /// Encrypts `plaintext` under `key` with a fresh random nonce, authenticating `associatedData` too.
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8] = [], nonce given: [UInt8]? = nil
    ) throws(CryptoError) -> SealedBox {
        guard key.count == keySize else { throw .invalidKeySize(expected: keySize, actual: key.count) }
        let nonce: [UInt8]
        if let given { nonce = given } else { nonce = try SecureRandom.bytes(nonceSize) }
        guard nonce.count == nonceSize else { throw .invalidInput("nonce must be \(nonceSize) bytes") }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw .openSSL("EVP_EncryptInit_ex")
        }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw .openSSL("EVP_EncryptUpdate(aad)")
            }
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var total: Int32 = 0
        let updated = ciphertext.withUnsafeMutableBufferPointer { out in
            EVP_EncryptUpdate(context, out.baseAddress, &length, plaintext, Int32(plaintext.count))
        }
        guard updated == 1 else { throw .openSSL("EVP_EncryptUpdate") }
        total = length
        let finished = ciphertext.withUnsafeMutableBufferPointer { out in
            EVP_EncryptFinal_ex(context, out.baseAddress.map { $0 + Int(total) }, &length)
        }
        guard finished == 1 else { throw .openSSL("EVP_EncryptFinal_ex") }
        total += length
        ciphertext.removeLast(ciphertext.count - Int(total))
        var tag = [UInt8](repeating: 0, count: tagSize)
        let tagged = tag.withUnsafeMutableBytes { out in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), out.baseAddress)
        }
        guard tagged == 1 else { throw .openSSL("EVP_CTRL_GCM_GET_TAG") }
        return SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
    }

    /// Decrypts and authenticates `box`; throws ``CryptoError/authenticationFailed`` when anything differs.
    public static func open(
        _ box: SealedBox, key: [UInt8], associatedData: [UInt8] = []
    ) throws(CryptoError) -> [UInt8] {
        guard key.count == keySize else { throw .invalidKeySize(expected: keySize, actual: key.count) }
        guard box.nonce.count == nonceSize, box.tag.count == tagSize else {
            throw .invalidInput("bad nonce or tag size")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, box.nonce) == 1 else {
            throw .openSSL("EVP_DecryptInit_ex")
        }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw .openSSL("EVP_DecryptUpdate(aad)")
            }
        }
        var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count + 16)
        let updated = plaintext.withUnsafeMutableBufferPointer { out in
            EVP_DecryptUpdate(context, out.baseAddress, &length, box.ciphertext, Int32(box.ciphertext.count))
        }
        guard updated == 1 else { throw .openSSL("EVP_DecryptUpdate") }
        var total = length
        var tag = box.tag
        let tagSet = tag.withUnsafeMutableBytes { raw in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), raw.baseAddress)
        }
        guard tagSet == 1 else { throw .openSSL("EVP_CTRL_GCM_SET_TAG") }
        let finished = plaintext.withUnsafeMutableBufferPointer { out in
            EVP_DecryptFinal_ex(context, out.baseAddress.map { $0 + Int(total) }, &length)
        }
        guard finished == 1 else { throw .authenticationFailed }
        total += length
        plaintext.removeLast(plaintext.count - Int(total))
        return plaintext
    }
}
