import Foundation
import LeadLifecycle

/// The built-in mappings for common CRM exports and the Olist data set.
public enum Presets {
  public static let names = ["hubspot", "salesforce", "pipedrive", "olist-mql", "olist-deals"]

  /// The preset called `name`, or nil.
  public static func named(_ name: String) -> ImportMapping? {
    switch name.lowercased() {
    case "hubspot": return hubspot
    case "salesforce": return salesforce
    case "pipedrive": return pipedrive
    case "olist-mql": return olistMQL
    case "olist-deals": return olistDeals
    default: return nil
    }
  }

  /// The preset whose id column is in `header` and which matches the most columns, if any; nil
  /// when the header's canonical field names (an `export`) match as many columns.
  public static func detect(header: [String]) -> ImportMapping? {
    let keys = Set(header.map(normalizedKey))
    let canonical = ImportMapping.identity(header: header).fields.count
    var best: (ImportMapping, Int)?
    for name in names {
      let m = named(name)!
      guard let id = m.fields.first(where: { $0.field == "id" }),
        id.columns.contains(where: { keys.contains(normalizedKey($0)) })
      else { continue }
      let hits = m.fields.filter { f in f.columns.contains { keys.contains(normalizedKey($0)) } }
        .count
      if best == nil || hits > best!.1 { best = (m, hits) }
    }
    guard let best, best.1 > canonical else { return nil }
    return best.0
  }

  private static func iso(_ extra: String...) -> [DatePattern] {
    (["iso"] + extra).map { try! DatePattern.parse($0).get() }
  }

  /// HubSpot contacts export.
  public static var hubspot: ImportMapping {
    var m = ImportMapping(name: "hubspot")
    m.idPrefix = "hs-"
    let fields: [(String, [String])] = [
      ("id", ["Record ID", "Contact ID", "hs_object_id"]),
      ("email", ["Email"]), ("first_name", ["First Name"]), ("last_name", ["Last Name"]),
      ("company", ["Company Name", "Associated Company"]), ("title", ["Job Title"]),
      ("industry", ["Industry"]), ("employees", ["Number of Employees"]),
      ("country", ["Country/Region", "Country"]), ("phone", ["Phone Number"]),
      ("source", ["Original Source", "Original Source Type"]), ("campaign", ["First Conversion"]),
      ("owner", ["Contact owner", "HubSpot Owner"]), ("stage", ["Lifecycle Stage"]),
      ("extra:lead_status", ["Lead Status"]), ("created_at", ["Create Date", "Created Date"]),
      ("entered:known", ["Date entered \"Lead (Lifecycle Stage)\"", "Became a Lead Date"]),
      (
        "entered:mql",
        [
          "Date entered \"Marketing Qualified Lead (Lifecycle Stage)\"",
          "Became a Marketing Qualified Lead Date",
        ]
      ),
      ("entered:sal", ["Date entered \"Sales Accepted Lead (Lifecycle Stage)\""]),
      (
        "entered:sql",
        [
          "Date entered \"Sales Qualified Lead (Lifecycle Stage)\"",
          "Became a Sales Qualified Lead Date",
        ]
      ),
      (
        "entered:opportunity",
        ["Date entered \"Opportunity (Lifecycle Stage)\"", "Became an Opportunity Date"]
      ),
      (
        "entered:customer",
        ["Date entered \"Customer (Lifecycle Stage)\"", "Became a Customer Date"]
      ),
    ]
    for (f, c) in fields { m.map(f, to: c) }
    let stages: [(String, StageTarget)] = [
      ("Subscriber", .stage(.known)), ("Lead", .stage(.known)),
      ("Marketing Qualified Lead", .stage(.mql)),
      ("Sales Accepted Lead", .stage(.sal)), ("Sales Qualified Lead", .stage(.sql)),
      ("Opportunity", .stage(.opportunity)), ("Customer", .stage(.customer)),
      ("Evangelist", .stage(.customer)),
      ("Other", .stage(.known)),
    ]
    for (v, t) in stages { m.mapStage(v, to: t) }
    m.dateFormats = iso("MM/dd/yyyy HH:mm", "MM/dd/yyyy")
    return m
  }

  /// Salesforce leads: report labels and Data Loader (API) names.
  public static var salesforce: ImportMapping {
    var m = ImportMapping(name: "salesforce")
    m.idPrefix = "sf-"
    let fields: [(String, [String])] = [
      ("id", ["Lead ID", "Id", "Record ID"]), ("email", ["Email"]),
      ("first_name", ["First Name", "FirstName"]),
      ("last_name", ["Last Name", "LastName"]), ("company", ["Company / Account", "Company"]),
      ("title", ["Title"]), ("industry", ["Industry"]),
      ("employees", ["No. of Employees", "NumberOfEmployees"]),
      ("country", ["Country", "Country (text only)"]), ("phone", ["Phone"]),
      ("source", ["Lead Source", "LeadSource"]), ("campaign", ["Campaign", "Campaign Name"]),
      ("owner", ["Lead Owner", "Owner Name", "OwnerId"]), ("stage", ["Lead Status", "Status"]),
      ("created_at", ["Create Date", "Created Date", "CreatedDate"]),
      ("entered:opportunity", ["Converted Date", "ConvertedDate"]),
      ("extra:rating", ["Rating"]),
    ]
    for (f, c) in fields { m.map(f, to: c) }
    let stages: [(String, StageTarget)] = [
      ("Open - Not Contacted", .stage(.mql)), ("Working - Contacted", .stage(.sal)),
      ("Qualified", .stage(.sql)), ("Closed - Converted", .stage(.opportunity)),
      ("Closed - Not Converted", .disqualified), ("Open", .stage(.mql)),
      ("Contacted", .stage(.sal)),
      ("Nurturing", .stage(.known)), ("Unqualified", .disqualified),
    ]
    for (v, t) in stages { m.mapStage(v, to: t) }
    m.dateFormats = iso("MM/dd/yyyy HH:mm", "MM/dd/yyyy", "M/d/yyyy H:mm", "M/d/yyyy")
    return m
  }

  /// Pipedrive deals export (`Deal - …` headers).
  public static var pipedrive: ImportMapping {
    var m = ImportMapping(name: "pipedrive")
    m.idPrefix = "pd-"
    let fields: [(String, [String])] = [
      ("id", ["Deal - ID"]), ("name", ["Deal - Contact person", "Person - Name"]),
      ("email", ["Person - Email", "Deal - Contact person email"]),
      ("company", ["Deal - Organization", "Organization - Name"]), ("owner", ["Deal - Owner"]),
      ("value", ["Deal - Value"]), ("extra:currency", ["Deal - Currency"]),
      ("stage", ["Deal - Status"]),
      ("extra:pipeline_stage", ["Deal - Stage"]), ("extra:deal", ["Deal - Title"]),
      ("created_at", ["Deal - Deal created", "Deal - Add time"]),
      ("close_date", ["Deal - Expected close date"]),
      ("won_at", ["Deal - Won time"]), ("lost_at", ["Deal - Lost time"]),
      ("closed_at", ["Deal - Close time"]),
      ("lost_reason", ["Deal - Lost reason"]), ("source", ["Deal - Source", "Deal - Lead source"]),
    ]
    for (f, c) in fields { m.map(f, to: c) }
    for (v, t) in [
      ("Open", StageTarget.stage(.opportunity)), ("Won", .stage(.customer)), ("Lost", .lost),
      ("Deleted", .ignore),
    ] {
      m.mapStage(v, to: t)
    }
    m.dateFormats = iso()
    return m
  }

  /// Olist marketing-qualified leads: `mql_id, first_contact_date, landing_page_id, origin`.
  /// The first contact is when the lead was captured and became an MQL.
  public static var olistMQL: ImportMapping {
    var m = ImportMapping(name: "olist-mql")
    m.map("id", to: ["mql_id"])
    m.map("created_at", to: ["first_contact_date"])
    m.map("entered:mql", to: ["first_contact_date"])
    m.map("source", to: ["origin"])
    m.map("extra:landing_page_id", to: ["landing_page_id"])
    m.dateFormats = [try! DatePattern.parse("dd-MM-yyyy").get()]
    m.timeZone = TimeZone(identifier: "America/Sao_Paulo") ?? TimeZone(identifier: "UTC")!
    return m
  }

  /// Olist closed deals: won at `won_date`, owned by the sales rep (`sr_id`); the SDR and the
  /// seller's attributes are kept as `extra`.
  public static var olistDeals: ImportMapping {
    var m = ImportMapping(name: "olist-deals")
    m.map("id", to: ["mql_id"])
    m.map("owner", to: ["sr_id"])
    m.map("won_at", to: ["won_date"])
    m.map("industry", to: ["business_segment"])
    for c in [
      "seller_id", "sdr_id", "sr_id", "business_segment", "lead_type", "lead_behaviour_profile",
      "has_company",
      "has_gtin", "average_stock", "business_type", "declared_product_catalog_size",
      "declared_monthly_revenue",
    ] {
      m.map("extra:\(c)", to: [c])
    }
    m.dateFormats = [try! DatePattern.parse("dd-MM-yyyy HH:mm").get()]
    m.timeZone = TimeZone(identifier: "America/Sao_Paulo") ?? TimeZone(identifier: "UTC")!
    return m
  }
}
