import Testing

@testable import Server

@Suite(.timeLimit(.minutes(3))) struct FormBodyTests {
    @Test func decodesTwilioStyleBodyInOrderWithRepeats() throws {
        let raw = "MessageSid=SM1&From=whatsapp%3A%2B966500000001&Body=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7+bro&To=x&To=y"
        let form = try FormBody(decoding: Array(raw.utf8))
        #expect(form["MessageSid"] == "SM1")
        #expect(form["From"] == "whatsapp:+966500000001")
        #expect(form["Body"] == "مرحبا bro")
        #expect(form.pairs.filter { $0.name == "To" }.map(\.value) == ["x", "y"])
        #expect(form.pairs.count == 5)
    }

    @Test func keepsEmptyValuesAndSkipsEmptyFields() throws {
        let form = try FormBody(decoding: Array("a=&&b".utf8))
        #expect(form.pairs.map(\.name) == ["a", "b"])
        #expect(form["a"] == "")
        #expect(form["b"] == "")
    }

    @Test(arguments: ["a=%ZZ", "a=%4", "a=%", "=value", "a=%FF%FE"])
    func rejectsMalformedEncoding(_ raw: String) {
        #expect(throws: FormBodyError.self) { try FormBody(decoding: Array(raw.utf8)) }
    }

    @Test func rawBytesMustBeUTF8Too() throws {
        #expect(try FormBody(decoding: Array("Body=مرحبا".utf8))["Body"] == "مرحبا")
        #expect(throws: FormBodyError.malformed("invalid UTF-8")) {
            try FormBody(decoding: Array("Body=a".utf8) + [0xFF, 0xFE])
        }
        // A surrogate encoded in three bytes is not UTF-8 either.
        #expect(throws: FormBodyError.malformed("invalid UTF-8")) {
            try FormBody(decoding: Array("Body=".utf8) + [0xED, 0xA0, 0x80])
        }
    }

    @Test func rejectsNULInAValueOrAName() {
        #expect(throws: FormBodyError.nulCharacter(parameter: "Body")) {
            try FormBody(decoding: Array("From=x&Body=hi%00there".utf8))
        }
        #expect(throws: FormBodyError.nulCharacter(parameter: "Body")) {
            try FormBody(decoding: Array("Body=hi".utf8) + [0] + Array("there".utf8))
        }
        #expect(throws: FormBodyError.nulCharacter(parameter: nil)) { try FormBody(decoding: Array("B%00dy=x".utf8)) }
        #expect(
            FormBodyError.nulCharacter(parameter: "Body").description
                == #"form parameter "Body" contains a NUL character (%00), which is not accepted"#)
        // Other control characters are ordinary text.
        #expect((try? FormBody(decoding: Array("Body=a%01b%0A".utf8)))?["Body"] == "a\u{01}b\n")
    }

    @Test func rejectsTooManyParameters() {
        let raw = (0...FormBody.maximumParameters).map { "p\($0)=1" }.joined(separator: "&")
        #expect(throws: FormBodyError.tooManyParameters) { try FormBody(decoding: Array(raw.utf8)) }
        let fits = (1...FormBody.maximumParameters).map { "p\($0)=1" }.joined(separator: "&")
        #expect((try? FormBody(decoding: Array(fits.utf8)))?.pairs.count == FormBody.maximumParameters)
    }
}
