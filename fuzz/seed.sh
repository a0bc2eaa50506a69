#!/bin/sh
# Fill fuzz/corpus/TARGET with the seeds each target starts from: the test fixtures of its
# format, the sample templates, recorded answers of the simulators and a config file.
# Run from the crate root: `sh fuzz/seed.sh`.
set -eu
corpus=fuzz/corpus
mkdir -p "$corpus"
copy() {
    target=$1
    shift
    mkdir -p "$corpus/$target"
    for f in "$@"; do
        if [ -f "$f" ]; then cp "$f" "$corpus/$target/"; fi
    done
}
copy template_xlsx tests/fixtures/valid/*.xlsx tests/fixtures/valid/*.xlsm tests/fixtures/diagnostics.xlsx \
    assets/*.xlsx tests/fixtures/broken/dates-and-bools.xlsx tests/fixtures/broken/formula-errors.xlsx
copy template_xlsb tests/fixtures/valid/*.xlsb tests/fixtures/broken/formula-errors.xlsb
copy template_xls tests/fixtures/valid/*.xls
copy template_ods tests/fixtures/valid/*.ods
copy template_csv tests/fixtures/valid/*.csv tests/fixtures/broken/csv-ragged.csv
mkdir -p "$corpus/header_row" "$corpus/floor_name" "$corpus/eptura_answer" "$corpus/condeco_answer" "$corpus/config"
printf 'Building Name\tBuilding Code\tState Code\tFloor\tRoom\tSpace Type' > "$corpus/header_row/official"
printf 'Bldg Code\tstate\tLevel\tRoom Name\ttype\tSq. Ft.' > "$corpus/header_row/aliases"
for name in "Level 3" "3rd Floor" "B1" "Ground" "LL2" "Floor 10" "Mezzanine"; do
    printf '%s' "$name" > "$corpus/floor_name/$(echo "$name" | tr ' ' _)"
done
printf '[{"id":43,"name":"Houston HQ","code":"HOU1","address":{"street":"901 Bagby St","city":"Houston","postalCode":"77002","country":{"id":223,"isoCode":"US"},"state":{"id":61,"code":"TX"}},"centers":[{"id":145,"module":"reservation"}],"dateCreated":1107466065320}]' > "$corpus/eptura_answer/buildings"
printf '[{"id":1921,"name":"B02-059","capacity":1,"reservable":true,"type":{"id":1,"name":"Workstation","usage":"ME"},"floor":{"id":55,"name":"2","building":{"id":43,"name":"HQ"}}}]' > "$corpus/eptura_answer/rooms"
printf '{"count": 12}' > "$corpus/eptura_answer/count"
printf '{"items":[{"resourceId":9,"name":"Desk 1","resourceType":"PersonalSpace","bookingPeriod":"AllDay","locationId":3,"floorNumber":2,"capacity":1,"externalId":"1921"}],"pageNumber":1,"pageSize":500,"totalCount":1}' > "$corpus/condeco_answer/resources"
printf '{"access_token":"abc","token_type":"bearer","expires_in":43199}' > "$corpus/condeco_answer/token"
printf '{"message":"Out of call volume quota"}' > "$corpus/condeco_answer/message"
printf '[profile.acme]\neptura_url = "https://acme.ioffice.com"\neptura_username = "ops"\ndb = "/tmp/x.sqlite"\n' > "$corpus/config/acme"
echo "seeded: $(ls "$corpus" | wc -l) targets"
