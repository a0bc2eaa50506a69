//! Plain types of the domain, shared by every other module: the customer's portfolio as read
//! from a Space Data template ([`Portfolio`], [`Building`], [`Floor`], [`Space`],
//! [`SpaceType`]), the geography it implies ([`geo`]), the name rules both systems impose
//! ([`names`]) and the records each service holds ([`remote`]). No I/O here, and nothing that
//! knows about files, HTTP or SQLite.

pub mod geo;
pub mod names;
pub mod portfolio;
pub mod postal;
pub mod remote;
pub mod space_type;

pub use geo::{CountryCode, Region};
pub use portfolio::{Building, Floor, Portfolio, PortfolioCounts, SourceRow, Space};
pub use space_type::{SpaceType, Usage, UsageRule};
