import Actors
import Testing

@testable import Infra

@Suite struct RedisCommandBatchTests {
    @Test func encodesCommandsInRESPBackToBack() {
        var batch = RedisCommandBatch()
        batch.append(["SET", "k", RedisArgument(bytes: [0, 13, 10, 0xff])])
        batch.beginCommand(arguments: 2)
        batch.appendArgument("ECHO")
        batch.appendArgument(pieces: { body in
            body("مرحبا"); body(" "); body("x")
        })
        #expect(batch.count == 2)
        let expected =
            Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + [0, 13, 10, 0xff] + Array("\r\n".utf8)
            + Array("*2\r\n$4\r\nECHO\r\n$12\r\nمرحبا x\r\n".utf8)
        #expect(batch.bytes == expected)
        #expect(batch.range(of: 0) == 0..<30)
        #expect(batch.argumentBytes(of: 0) == 8)
        #expect(batch.argumentBytes(of: 1) == 16)
    }

    /// hiredis reads a formatted command as a C string (for `SUBSCRIBE`, argument after argument until a NUL), so
    /// each command reaches it alone and followed by a NUL, the last of a batch as well as one in the middle.
    @Test func eachCommandIsHandedOverAloneAndNulTerminated() {
        var batch = RedisCommandBatch()
        batch.append(["SUBSCRIBE", "a", "b"])
        batch.append(["PING"])
        for (index, expected) in [(0, "*3\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n"), (1, "*1\r\n$4\r\nPING\r\n")] {
            let (bytes, terminator) = batch.withTerminatedCommand(index) { command in
                (command.map { UInt8(bitPattern: $0) }, command.baseAddress.map { $0[command.count] })
            }
            #expect(bytes == Array(expected.utf8))
            #expect(terminator == 0)
        }
    }

    @Test func lengthsOfManyDigitsAndEmptyArguments() {
        var batch = RedisCommandBatch()
        batch.append(["SET", "", RedisArgument(bytes: Array(repeating: 0x61, count: 12_345))])
        #expect(batch.bytes.starts(with: Array("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$12345\r\n".utf8)))
        #expect(batch.bytes.count == 27 + 12_345 + 2)
    }

    @Test func aLiveEventIsPublishedWithItsChannelAndFrame() async throws {
        let event = LiveEvent(
            kind: .orderUpdated, restaurantId: "r-1", at: "2026-12-02T04:00:00.000Z", dataJSON: "{\"n\":\"طلب\"}")
        #expect(event.channel == "ws:restaurant:r-1:orders")
        #expect(event.channel.hasPrefix(LiveEvent.channelPrefix(restaurantId: "r-1")))
        #expect(
            event.frameJSON
                == "{\"type\":\"order.updated\",\"restaurantId\":\"r-1\",\"at\":\"2026-12-02T04:00:00.000Z\",\"data\":{\"n\":\"طلب\"}}"
        )
        var batch = RedisCommandBatch()
        batch.beginCommand(arguments: 3)
        batch.appendArgument("PUBLISH")
        batch.appendArgument(pieces: event.forEachChannelPiece)
        batch.appendArgument(pieces: event.forEachFramePiece)
        #expect(
            batch.bytes
                == RedisCommandBatch([["PUBLISH", RedisArgument(event.channel), RedisArgument(event.frameJSON)]]).bytes)
        // Redis parses what the pieces wrote: a value set from them reads back as the frame.
        let key = uniqueRedisPrefix("batch") + "frame"
        var set = RedisCommandBatch()
        set.beginCommand(arguments: 5)
        set.appendArgument("SET")
        set.appendArgument(key)
        set.appendArgument(pieces: event.forEachFramePiece)
        set.appendArgument("EX")
        set.appendArgument("60")
        set.append(["GET", RedisArgument(key)])
        let connection = try await RedisConnection.connect(configuration: sharedRedisConfiguration())
        let replies = try await connection.pipeline(set)
        #expect(replies == [.simpleString("OK"), .bulkString(Array(event.frameJSON.utf8))])
        await connection.close()
    }
}
