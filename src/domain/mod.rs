//! Plain types of the domain, shared by every other module: the customer's portfolio as read
//! from a Space Data template ([`Portfolio`], [`Building`], [`Floor`], [`Space`],
//! [`SpaceType`]), typed ids of both services and the keys a mapping joins ([`ids`]), the
//! geography it implies ([`geo`]), the name rules both systems impose ([`names`]), the
//! operator's merge [`Decision`]s, the records each service holds ([`remote`]) and outside text
//! made safe to show ([`text`]). No I/O here, and nothing that knows about files, HTTP or
//! SQLite.

pub mod decision;
pub mod geo;
pub mod ids;
pub mod names;
pub mod portfolio;
pub mod postal;
pub mod remote;
pub mod space_type;
pub mod text;
pub mod when;

pub use decision::{Decision, DecisionChange};
pub use geo::{CountryCode, Region};
pub use ids::{CondecoKey, ExternalId, SyncKind};
pub use portfolio::{Building, Floor, Portfolio, PortfolioCounts, SourceRow, Space};
pub use space_type::{SpaceType, Usage, UsageRule};
