/// Migration 10: `sufra_expect(holds, what)`, which fails the statement (and so the transaction) with SQLSTATE
/// `SUF01` unless `holds` is true. The ingest batch sent in one round trip checks with it what it assumed when it
/// wrote every statement in advance (each conversation still at the version and row its step was decided from);
/// when the check fails the batch is rolled back and written again the careful way (docs/inbound.md, "One round
/// trip").
extension Migration {
    static let batchExpectationV10 = Migration(
        version: 10, name: "sufra_expect: a batch's assumption checked in SQL",
        sql: """
            CREATE FUNCTION sufra_expect(holds boolean, what text) RETURNS boolean
            LANGUAGE plpgsql AS $$
            BEGIN
                IF holds IS NOT TRUE THEN
                    RAISE EXCEPTION 'batch expectation failed: %', what USING ERRCODE = 'SUF01';
                END IF;
                RETURN true;
            END
            $$;
            """)
}
