package io.github.amlspark.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLStreamException;
import org.junit.jupiter.api.Test;

class ListBlobsXmlTest {
  private static final String PROPS = "<Creation-Time>Mon, 01 Dec 2025 11:00:00 GMT</Creation-Time>"
      + "<Last-Modified>Tue, 02 Dec 2025 13:04:05 GMT</Last-Modified><Etag>0x8DE30C4ABCDEF01</Etag>";

  private record Listed(String name, long length, long lastModified, String md5, String etag, boolean marker) {
  }

  private static List<Listed> read(String blobs, String tail, StringBuilder next) throws XMLStreamException {
    String xml = "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults "
        + "ServiceEndpoint=\"http://127.0.0.1/acct/\" ContainerName=\"c\"><Prefix>p</Prefix><MaxResults>5000"
        + "</MaxResults><Blobs>" + blobs + "</Blobs>" + tail + "</EnumerationResults>";
    List<Listed> listed = new ArrayList<>();
    String scanned = ListBlobsXml.nextMarker(xml.getBytes(StandardCharsets.UTF_8));
    next.append(ListBlobsXml.read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)),
        (name, length, lastModified, md5, etag, marker) -> listed.add(new Listed(name, length, lastModified, md5,
            etag, marker))));
    // The listing fetches the next page with the marker found in the bytes before the page is read.
    assertEquals(next.toString(), scanned, "the NextMarker found in the bytes");
    return listed;
  }

  private static String blob(String name, String properties, String metadata) {
    return "<Blob>" + name + "<Properties>" + PROPS + properties + "<BlobType>BlockBlob</BlobType>"
        + "<LeaseStatus>unlocked</LeaseStatus></Properties>" + metadata + "<OrMetadata /></Blob>";
  }

  @Test
  void readsWhatAnEntryNeedsAndSkipsTheRest() throws Exception {
    StringBuilder next = new StringBuilder();
    List<Listed> listed = read(
        blob("<Name>a/data.bin</Name>", "<Content-Length>42</Content-Length>"
            + "<Content-MD5>1B2M2Y8AsgTpgAmY7PhCfg==</Content-MD5>", "<Metadata><owner>me</owner></Metadata>")
        // Snapshots, versions and tags are other elements of a Blob: skipped, nested ones included.
        + "<Blob><Snapshot>x</Snapshot><Name>b.txt</Name><Tags><TagSet><Tag><Key>Name</Key><Value>v</Value>"
        + "</Tag></TagSet></Tags><Properties><Content-Length>7</Content-Length><Content-MD5 />"
        + "<Etag>\"0x1\"</Etag><Last-Modified>Thu, 01 Jan 1970 00:00:01 GMT</Last-Modified></Properties>"
        + "<Metadata /></Blob>",
        "<NextMarker>2!72!marker</NextMarker>", next);

    assertEquals(List.of(
        new Listed("a/data.bin", 42, ZonedDateTime.parse("2025-12-02T13:04:05Z").toInstant().toEpochMilli(),
            "d41d8cd98f00b204e9800998ecf8427e", "0x8DE30C4ABCDEF01", false),
        new Listed("b.txt", 7, 1000, null, "\"0x1\"", false)), listed);
    assertEquals("2!72!marker", next.toString());
  }

  @Test
  void folderMarkersAreFlaggedAsTheSdkListingDid() throws Exception {
    List<Listed> listed = read(
        blob("<Name>dir</Name>", "<Content-Length>0</Content-Length>",
            "<Metadata><hdi_isfolder>true</hdi_isfolder></Metadata>")
        + blob("<Name>upper</Name>", "<Content-Length>0</Content-Length>",
            "<Metadata><HDI_IsFolder>True</HDI_IsFolder></Metadata>")
        + blob("<Name>not-a-folder</Name>", "<Content-Length>0</Content-Length>",
            "<Metadata><hdi_isfolder>false</hdi_isfolder></Metadata>")
        + blob("<Name>slash/</Name>", "<Content-Length>0</Content-Length>", "<Metadata />")
        + blob("<Name>slash-with-bytes/</Name>", "<Content-Length>3</Content-Length>", "<Metadata />")
        + blob("<Name>empty</Name>", "<Content-Length>0</Content-Length>", ""),
        "<NextMarker />", new StringBuilder());

    assertEquals(List.of(true, true, false, true, false, false), listed.stream().map(Listed::marker).toList());
    assertEquals(List.of("dir", "upper", "not-a-folder", "slash/", "slash-with-bytes/", "empty"),
        listed.stream().map(Listed::name).toList());
  }

  @Test
  void encodedNamesAreDecodedAndTheLastPageHasNoMarker() throws Exception {
    StringBuilder next = new StringBuilder();
    List<Listed> listed = read(blob("<Name Encoded=\"true\">odd%01name%20%2B.txt</Name>",
        "<Content-Length>1</Content-Length>", "<Metadata />"), "<NextMarker />", next);

    assertEquals("odd\u0001name +.txt", listed.get(0).name());
    assertEquals("", next.toString());
  }

  @Test
  void aMarkerWithEscapedCharactersIsFoundInTheBytesAsTheReaderReadsIt() throws Exception {
    StringBuilder next = new StringBuilder();
    read(blob("<Name>a</Name>", "<Content-Length>1</Content-Length>", "<Metadata />"),
        "<NextMarker>2!96!a&amp;b&lt;c&#x2F;d&#47;e</NextMarker>", next);
    assertEquals("2!96!a&b<c/d/e", next.toString());
  }

  @Test
  void aMarkerBeyondAsciiIsDecodedFromItsOwnBytes() throws Exception {
    StringBuilder next = new StringBuilder();
    read(blob("<Name>caf\u00e9/\u65e5\u672c.txt</Name>", "<Content-Length>1</Content-Length>", "<Metadata />"),
        "<NextMarker>2!96!caf\u00e9/\u65e5\u672c\ud83d\ude00.txt</NextMarker>", next);
    assertEquals("2!96!caf\u00e9/\u65e5\u672c\ud83d\ude00.txt", next.toString());
  }

  @Test
  void aResponseThatIsNotAListingIsRefused() {
    assertThrows(XMLStreamException.class, () -> ListBlobsXml.read(new ByteArrayInputStream(
        "<?xml version=\"1.0\"?><Error><Code>x</Code></Error>".getBytes(StandardCharsets.UTF_8)), (a, b, c, d, e, f) -> {
        }));
  }

  @Test
  void timesReadByPositionMatchTheGeneralParser() {
    for (String time : List.of("Mon, 01 Dec 2025 12:00:00 GMT", "Thu, 29 Feb 2024 23:59:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Sun, 09 Mar 2025 07:08:09 GMT")) {
      assertEquals(ZonedDateTime.parse(time, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli(),
          ListBlobsXml.epochMillis(time), time);
    }
    // Other shapes the general parser accepts still parse; nonsense is refused, never misread.
    assertEquals(ZonedDateTime.parse("2025-12-01T12:00:00Z").toInstant().toEpochMilli(),
        ListBlobsXml.epochMillis("Mon, 1 Dec 2025 12:00:00 GMT"));
    assertThrows(RuntimeException.class, () -> ListBlobsXml.epochMillis("Mon, 01 Dec 2025 25:00:00 GMT"));
    assertThrows(RuntimeException.class, () -> ListBlobsXml.epochMillis("Mon, 31 Feb 2025 12:00:00 GMT"));
  }
}
