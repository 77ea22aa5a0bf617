/// A strict reader of the Prometheus text exposition format (version 0.0.4), enough to prove `/metrics` parses:
/// every sample line is `name{label="value",…} number`, every sample belongs to a family declared once by
/// `# TYPE`, and every family has a `# HELP`.
struct PrometheusText {
    /// One sample line.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// A line that is not the format.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var samples: [Sample] = []
    /// Family name → type (`counter`, `gauge`, `histogram`…).
    private(set) var types: [String: String] = [:]
    /// Family name → help text.
    private(set) var help: [String: String] = [:]

    /// Parses `text`, throwing ``Malformed`` at the first line that breaks the format.
    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("# ") {
                try comment(line)
            } else {
                let sample = try Self.sample(line)
                guard let family = family(of: sample.name) else {
                    throw Malformed(description: "sample without a # TYPE: \(line)")
                }
                if types[family] == "histogram", sample.name.hasSuffix("_bucket"), sample.labels["le"] == nil {
                    throw Malformed(description: "bucket without le: \(line)")
                }
                samples.append(sample)
            }
        }
        for family in types.keys where help[family] == nil {
            throw Malformed(description: "no # HELP for \(family)")
        }
    }

    /// The samples of series `name`.
    func values(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// The value of `name` with exactly `labels`, if exported.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The family a sample belongs to (a histogram's `_bucket`, `_sum` and `_count` belong to the histogram).
    func family(of name: String) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    private mutating func comment(_ line: String) throws {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, Self.isName(parts[2]) else { throw Malformed(description: "bad comment: \(line)") }
        switch parts[1] {
        case "TYPE":
            guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                throw Malformed(description: "bad TYPE: \(line)")
            }
            guard types[parts[2]] == nil else { throw Malformed(description: "second TYPE for \(parts[2])") }
            types[parts[2]] = parts[3]
        case "HELP":
            help[parts[2]] = parts.count == 4 ? parts[3] : ""
        default:
            break
        }
    }

    private static func sample(_ line: String) throws -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard isName(name) else { throw Malformed(description: "bad metric name: \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard isName(label), !label.contains(":") else { throw Malformed(description: "bad label: \(line)") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw Malformed(description: "bad label value: \(line)") }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first, "\\\"n".contains(escaped) else {
                            throw Malformed(description: "bad escape: \(line)")
                        }
                        value.append(escaped == "n" ? "\n" : escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw Malformed(description: "unterminated label value: \(line)") }
                rest = rest.dropFirst()
                guard labels.updateValue(value, forKey: label) == nil else {
                    throw Malformed(description: "repeated label \(label): \(line)")
                }
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Malformed(description: "no value: \(line)") }
        let number = rest.dropFirst().split(separator: " ").first.map(String.init) ?? ""
        let value: Double? =
            switch number {
            case "+Inf": .infinity
            case "-Inf": -.infinity
            case "NaN": .nan
            default: Double(number)
            }
        guard let value else { throw Malformed(description: "bad value: \(line)") }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func isName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }
}

extension PrometheusText {
    /// The restaurants `sufra_credential_alerts_total` names, sorted.
    var credentialAlertRestaurants: [String] {
        values("sufra_credential_alerts_total").compactMap { $0.labels["restaurant"] }.sorted()
    }
}
